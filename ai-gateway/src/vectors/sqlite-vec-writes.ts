// The write side of the sqlite-vec store over one collection: its prepared statements, and how
// a point's vector, code, chunks and words are put and dropped.
import type { Database, Statement } from "bun:sqlite";
import { GatewayError } from "../errors.ts";
import type { Collection, PointUpsert } from "./index.ts";
import { CodeTables } from "./sqlite-vec-codes.ts";
import { CHUNK_ROWIDS_PER_POINT, chunkRowid } from "./sqlite-vec-tables.ts";
import { prefixedWords, WordPrefixes } from "./sqlite-vec-words.ts";

/** Words to index at the end of a write, by rowid: the text's words as prefixedWords makes them. */
export type PendingWords = Map<number, string>;

/** Prepared write statements of one collection. */
export interface WriteStatements {
  stored: Statement<
    { rowid: number; tenant_id: string; version: number; deleted: number },
    [string]
  >;
  insertNew: Statement<unknown, [string, string, number, number, string | null]>;
  update: Statement<unknown, [number, number, string | null, number]>;
  putVector: Statement<unknown, [number, Float32Array]>;
  dropVector: Statement<unknown, [number]>;
  putWords: Statement<unknown, [number, string]>;
  dropWords: Statement<unknown, [number]>;
  putChunk: Statement<unknown, [number, number, number, number, string]>;
  chunksOf: Statement<{ rowid: number }, [number]>;
  dropChunks: Statement<unknown, [number]>;
  codes: CodeTables;
  prefixes: WordPrefixes;
}

/** The write statements of collection `c`, prepared once (not looked up by SQL text per row). */
export function prepareWrites(
  db: Database,
  c: Collection,
  codes: { indexAt?: number; cacheBytes?: number },
): WriteStatements {
  return {
    stored: db.prepare(
      `SELECT rowid, tenant_id, version, deleted FROM points_${c} WHERE point_id = ?`,
    ),
    insertNew: db.prepare(
      // No RETURNING: a statement with one opens a statement savepoint, and FTS5 writes its
      // pending words to disk at every savepoint, a tiny segment per point (3× this insert's
      // cost, measured). The rowid is the connection's last insert rowid.
      `INSERT INTO points_${c} (point_id, tenant_id, version, deleted, payload)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (point_id) DO NOTHING`,
    ),
    update: db.prepare(
      `UPDATE points_${c} SET version = ?, deleted = ?, payload = ? WHERE rowid = ?`,
    ),
    putVector: db.prepare(`INSERT INTO vectors_${c} (rowid, embedding) VALUES (?, ?)`),
    dropVector: db.prepare(`DELETE FROM vectors_${c} WHERE rowid = ?`),
    putWords: db.prepare(`INSERT INTO words_${c} (rowid, text) VALUES (?, ?)`),
    dropWords: db.prepare(`DELETE FROM words_${c} WHERE rowid = ?`),
    putChunk: db.prepare(
      `INSERT INTO chunks_${c} (rowid, point_rowid, start_at, end_at, text) VALUES (?, ?, ?, ?, ?)`,
    ),
    chunksOf: db.prepare(`SELECT rowid FROM chunks_${c} WHERE point_rowid = ?`),
    dropChunks: db.prepare(`DELETE FROM chunks_${c} WHERE point_rowid = ?`),
    codes: CodeTables.open(db, c, codes),
    prefixes: new WordPrefixes(db, c),
  };
}

/** Stores a vector and its binary code under `rowid`. */
export function putVector(
  sql: WriteStatements,
  rowid: number,
  tenantId: string,
  vector: Float32Array,
): void {
  sql.putVector.run(rowid, vector);
  sql.codes.put(rowid, tenantId, vector);
}

/**
 * Stores a point's chunks. Chunk 0 shares the point's rowid (already stored); the others get
 * their own rowids, vectors and codes; their words go to `words`, indexed at the end of the write.
 */
export function putChunks(
  sql: WriteStatements,
  rowid: number,
  point: PointUpsert,
  dims: number,
  words: PendingWords,
  prefix: string,
): void {
  if (!point.chunks || point.chunks.length === 0) return;
  if (point.chunks.length > CHUNK_ROWIDS_PER_POINT)
    throw new GatewayError("store_failed", `${point.chunks.length} chunks of one entity`);
  for (const [index, chunk] of point.chunks.entries()) {
    if (chunk.vector.length !== dims)
      throw new GatewayError("store_failed", `vector of ${chunk.vector.length} dimensions`);
    const at = chunkRowid(rowid, index);
    if (index > 0) {
      putVector(sql, at, point.tenantId, chunk.vector);
      words.set(at, prefixedWords(prefix, chunk.text));
    }
    sql.putChunk.run(at, rowid, chunk.start, chunk.end, chunk.text);
  }
}

/**
 * Removes a point's vector, code and words, and those of all its chunks; `pending`: words of
 * this write not indexed yet, dropped before they are.
 */
export function dropPoint(
  sql: WriteStatements,
  rowid: number,
  tenantId: string,
  pending?: PendingWords,
): void {
  for (const { rowid: at } of sql.chunksOf.all(rowid)) {
    if (at === rowid) continue;
    sql.dropVector.run(at);
    if (!pending?.delete(at)) sql.dropWords.run(at);
    sql.codes.drop(at, tenantId);
  }
  sql.dropChunks.run(rowid);
  sql.dropVector.run(rowid);
  // A point written before the keyword index existed has no row here: deleting none is fine.
  if (!pending?.delete(rowid)) sql.dropWords.run(rowid);
  sql.codes.drop(rowid, tenantId);
}

/** Points removed per transaction of a tenant's erase. */
const ERASE_CHUNK = 1000;

/**
 * Removes every point of a tenant in a collection (its vectors, codes, chunks and words), in
 * chunks of ERASE_CHUNK, each its own transaction, with a turn of the event loop between them:
 * the other tenants' searches and writes go on while a large tenant is erased. Returns how many
 * points (tombstones included) were removed.
 */
export async function eraseTenantPoints(
  db: Database,
  c: Collection,
  sql: WriteStatements,
  tenantId: string,
): Promise<number> {
  const page = db.prepare<{ rowid: number; deleted: number }, [string, number]>(
    `SELECT rowid, deleted FROM points_${c} WHERE tenant_id = ? LIMIT ?`,
  );
  const remove = db.prepare(`DELETE FROM points_${c} WHERE rowid = ?`);
  let erased = 0;
  for (;;) {
    const done = sql.codes.atomic(() => {
      const rows = page.all(tenantId, ERASE_CHUNK);
      for (const row of rows) {
        if (!row.deleted) dropPoint(sql, row.rowid, tenantId);
        remove.run(row.rowid);
      }
      if (rows.length < ERASE_CHUNK) {
        sql.codes.forgetTenant(tenantId);
        sql.prefixes.forget(tenantId);
      }
      erased += rows.length;
      return rows.length < ERASE_CHUNK;
    });
    if (done) {
      // FTS5 removes a contentless row by a delete marker; its words stay in the index's
      // segments until they are merged. Merging them now leaves none of the tenant's words.
      if (erased > 0) db.run(`INSERT INTO words_${c}(words_${c}) VALUES ('optimize')`);
      return erased;
    }
    await Bun.sleep(0);
  }
}
