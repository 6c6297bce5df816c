// The `points_<collection>` and `vectors_<collection>` tables of the sqlite-vec store: their
// schema and the read-only queries that need nothing else.
import type { Database } from "bun:sqlite";
import { GatewayError } from "../errors.ts";
import type { Collection, VersionPage } from "./index.ts";
import { createWordTenants } from "./sqlite-vec-words.ts";

/** Live (not deleted) points of a collection, of one tenant or of all. */
export function countPoints(db: Database, c: Collection, tenantId?: string): number {
  const row =
    tenantId === undefined
      ? db.query<{ n: number }, []>(`SELECT count(*) AS n FROM points_${c} WHERE deleted = 0`).get()
      : db
          .query<{ n: number }, [string]>(
            `SELECT count(*) AS n FROM points_${c} WHERE tenant_id = ? AND deleted = 0`,
          )
          .get(tenantId);
  return row?.n ?? 0;
}

/** One page of a tenant's live entities with their versions, in rowid order. */
export function listPointVersions(
  db: Database,
  collection: Collection,
  tenantId: string,
  cursor: string | null,
  limit: number,
): VersionPage {
  // Rowid order: the (tenant_id, deleted) index already holds it, so each page is a seek.
  const rows = db
    .query<{ rowid: number; version: number; entity: string | null }, [string, number, number]>(
      `SELECT rowid, version, json_extract(payload, '$.entityId') AS entity FROM points_${collection}
       WHERE tenant_id = ? AND deleted = 0 AND rowid > ? ORDER BY rowid LIMIT ?`,
    )
    .all(tenantId, Number(cursor ?? 0), limit);
  const entries = rows.flatMap((row) =>
    row.entity === null ? [] : [{ entityId: row.entity, version: row.version }],
  );
  const last = rows.at(-1);
  return { entries, next: rows.length === limit && last ? String(last.rowid) : null };
}

/** Rowids of chunks past the first start here: points' own rowids never reach it. */
export const CHUNK_ROWID_BASE = 2 ** 50;
/** Chunk rowids reserved per point (MAX_CHUNKS_PER_ENTITY is at most this). */
export const CHUNK_ROWIDS_PER_POINT = 1024;

/** The rowid of chunk `index` of the point at `pointRowid` (its vector, code and words). */
export function chunkRowid(pointRowid: number, index: number): number {
  return index === 0 ? pointRowid : CHUNK_ROWID_BASE + pointRowid * CHUNK_ROWIDS_PER_POINT + index;
}

/** Creates a collection's point and vector tables when missing. */
export function createPointTables(db: Database, collection: Collection): void {
  // Random point ids are keyed in one index only; rowids (and so the vec0 table) grow in order.
  db.run(`CREATE TABLE IF NOT EXISTS points_${collection} (
    rowid INTEGER PRIMARY KEY, point_id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL,
    version INTEGER NOT NULL, deleted INTEGER NOT NULL, payload TEXT)`);
  db.run(`CREATE INDEX IF NOT EXISTS points_${collection}_tenant
    ON points_${collection} (tenant_id, deleted)`);
  db.run(`CREATE TABLE IF NOT EXISTS vectors_${collection} (
    rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL)`);
  // The chunks of long texts (chunks.ts). Chunk 0's rowid is the point's; chunk i's vector,
  // code and words are stored under chunkRowid(point, i), beside the points' rowids.
  db.run(`CREATE TABLE IF NOT EXISTS chunks_${collection} (rowid INTEGER PRIMARY KEY,
    point_rowid INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
    text TEXT NOT NULL)`);
  db.run(`CREATE INDEX IF NOT EXISTS chunks_${collection}_point
    ON chunks_${collection} (point_rowid)`);
  // Contentless: the text is not stored twice (only its words); contentless_delete lets an
  // update or delete remove a point's words. Each word carries its tenant's prefix, so that a
  // query reads only the tenant's matches (sqlite-vec-words.ts). Points written
  // before keyword search existed have no words until they are written again or rebuilt in a
  // new generation; the index of the layout before this one is converted (sqlite-vec-migrate.ts).
  db.run(`CREATE VIRTUAL TABLE IF NOT EXISTS words_${collection} USING fts5(text,
    content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`);
  createWordTenants(db, collection);
}

/** Refuses to open collections whose stored vectors have another size than the embedder's. */
export function checkStoredDims(db: Database, collections: readonly Collection[], dims: number) {
  db.run(
    "CREATE TABLE IF NOT EXISTS vector_meta (collection TEXT PRIMARY KEY, dims INTEGER NOT NULL)",
  );
  for (const collection of collections) {
    const meta = db
      .query<{ dims: number }, [string]>("SELECT dims FROM vector_meta WHERE collection = ?")
      .get(collection);
    if (meta && meta.dims !== dims) {
      throw new GatewayError(
        "store_failed",
        `${collection}: stored vectors have ${meta.dims} dimensions, the embedder makes ${dims}`,
      );
    }
  }
}
