import type { Database } from "bun:sqlite";
import { GatewayError } from "../errors.ts";
import {
  COLLECTIONS,
  type Collection,
  isZeroVector,
  type PointDelete,
  type PointUpsert,
  type SearchHit,
  type SearchOptions,
  type VectorStore,
  type VersionPage,
  type WriteResult,
} from "./index.ts";
import { pointId } from "./point-id.ts";
import { migrateFloatTables, migrateKeywordIndex } from "./sqlite-vec-migrate.ts";
import { searchHits } from "./sqlite-vec-search.ts";
import {
  checkStoredDims,
  countPoints,
  createPointTables,
  listPointVersions,
} from "./sqlite-vec-tables.ts";
import { storedVersions } from "./sqlite-vec-versions.ts";
import { prefixedWords } from "./sqlite-vec-words.ts";
import {
  dropPoint,
  eraseTenantPoints,
  type PendingWords,
  prepareWrites,
  putChunks,
  putVector,
  type WriteStatements,
} from "./sqlite-vec-writes.ts";

/**
 * Embedded vector store. Per collection:
 * - `points_<c>`: one row per entity ever written (deleted ones stay as tombstones, so a late,
 *   older event cannot bring a deleted entity back), with version and payload;
 * - `vectors_<c>`: the float32 vectors, by the point's rowid;
 * - `tenant_codes_<c>`: the binary codes (`2 × dims` bits, sign-code.ts) by tenant; a large
 *   tenant's are copied into memory at its first search and scanned there (sqlite-vec-codes.ts),
 *   so a search reads only the caller's tenant's codes.
 * - `words_<c>`: an FTS5 index of each live point's words, each after its tenant's prefix
 *   (sqlite-vec-words.ts), by the point's rowid, for BM25; written in the same transaction.
 * A vector search takes the nearest codes by Hamming distance, then rescores those candidates by
 * cosine on the floats; hybrid fuses it with the keyword search (sqlite-vec-search.ts).
 */
export class SqliteVecStore implements VectorStore {
  readonly name = "sqlite-vec";
  #dims = 0;
  readonly #prepared = new Map<Collection, WriteStatements>();

  /**
   * `indexAt`: codes a tenant needs before its searches read the binary codes first (INDEX_AT;
   * tests lower it); `cacheBytes`: memory the tenants' code copies may hold (DEFAULT_INDEX_BYTES).
   */
  constructor(
    private readonly db: Database,
    private readonly options: { indexAt?: number; cacheBytes?: number } = {},
  ) {}

  async init(dims: number, collections: readonly Collection[] = COLLECTIONS): Promise<void> {
    this.#dims = dims;
    checkStoredDims(this.db, collections, dims);
    this.db.transaction(() => {
      for (const collection of collections) {
        createPointTables(this.db, collection);
        migrateKeywordIndex(this.db, collection);
        this.#prepared.set(collection, prepareWrites(this.db, collection, this.options));
        this.db.run("INSERT OR IGNORE INTO vector_meta (collection, dims) VALUES (?, ?)", [
          collection,
          dims,
        ]);
      }
      // Files written by the float32-only layout are converted once, in the same transaction.
      migrateFloatTables(this.db, collections, (collection, point) =>
        putVector(this.#statements(collection), point.rowid, point.tenantId, point.embedding),
      );
    })();
  }

  async write(
    collection: Collection,
    ops: { upserts: readonly PointUpsert[]; deletes: readonly PointDelete[] },
  ): Promise<WriteResult> {
    const sql = this.#statements(collection);
    const result: WriteResult = { upserted: 0, deleted: 0, stale: 0 };
    // The words of the batch, indexed after its other writes: FTS5 writes its pending words to
    // disk as a segment whenever a statement opens a savepoint (vec0's inserts do), so words
    // interleaved with them would make a tiny segment per point; together they make one.
    // Keyed by rowid: a point written twice in one batch drops its first words before they land.
    const words: PendingWords = new Map();
    const prefixOf = sql.prefixes.forBatch();
    // One transaction per batch: all of it is stored, or none of it.
    sql.codes.atomic(() => {
      for (const point of ops.upserts) {
        if (point.vector.length !== this.#dims) {
          throw new GatewayError("store_failed", `vector of ${point.vector.length} dimensions`);
        }
        const payload = JSON.stringify({
          tenantId: point.tenantId,
          entityId: point.entityId,
          version: point.version,
          filters: point.filters,
          data: point.data,
        });
        // Most points are new: try the insert first (one index descent instead of a lookup and
        // then an insert); only an existing point is read back for its version.
        const inserted = sql.insertNew.run(point.id, point.tenantId, point.version, 0, payload);
        let rowid: number;
        if (inserted.changes === 1) rowid = Number(inserted.lastInsertRowid);
        else {
          const row = sql.stored.get(point.id);
          if (!row) throw new GatewayError("store_failed", "point neither inserted nor found");
          if (row.version > point.version) {
            result.stale++;
            continue;
          }
          sql.update.run(point.version, 0, payload, row.rowid);
          rowid = row.rowid;
          if (!row.deleted) dropPoint(sql, rowid, row.tenant_id, words);
        }
        putVector(sql, rowid, point.tenantId, point.vector);
        const prefix = prefixOf(point.tenantId);
        words.set(rowid, prefixedWords(prefix, point.text));
        putChunks(sql, rowid, point, this.#dims, words, prefix);
        result.upserted++;
      }
      for (const [rowid, text] of words) sql.putWords.run(rowid, text);
      for (const point of ops.deletes) {
        const row = sql.stored.get(point.id);
        if (row && row.version > point.version) {
          result.stale++;
          continue;
        }
        if (row) {
          sql.update.run(point.version, 1, null, row.rowid);
          if (!row.deleted) dropPoint(sql, row.rowid, row.tenant_id);
        } else {
          sql.insertNew.run(point.id, point.tenantId, point.version, 1, null);
        }
        result.deleted++;
      }
    });
    return result;
  }

  /** The write statements of a collection, prepared once (not looked up by SQL text per row). */
  #statements(c: Collection): WriteStatements {
    const sql = this.#prepared.get(c);
    if (!sql) throw new GatewayError("store_failed", "the store is used before init()");
    return sql;
  }

  async search(
    collection: Collection,
    tenantId: string,
    vector: Float32Array | null,
    limit: number,
    options: SearchOptions = {},
  ): Promise<SearchHit[]> {
    // A zero vector (nothing to embed) has no direction: it finds nothing, never every point.
    if (vector && isZeroVector(vector)) return [];
    const { codes, prefixes } = this.#statements(collection);
    return searchHits(this.db, collection, codes, prefixes, tenantId, vector, limit, options);
  }

  /** One query for many entities' versions (sqlite-vec-versions.ts). */
  readonly versions = async (c: Collection, tenant: string, ids: readonly string[]) =>
    storedVersions(this.db, c, tenant, ids);

  async count(collection: Collection, tenantId?: string): Promise<number> {
    return countPoints(this.db, collection, tenantId);
  }

  async listVersions(
    collection: Collection,
    tenantId: string,
    cursor: string | null,
    limit: number,
  ): Promise<VersionPage> {
    return listPointVersions(this.db, collection, tenantId, cursor, limit);
  }

  async purge(
    collection: Collection,
    tenantId: string,
    entityIds: readonly string[],
  ): Promise<void> {
    const sql = this.#statements(collection);
    const remove = this.db.prepare(`DELETE FROM points_${collection} WHERE rowid = ?`);
    sql.codes.atomic(() => {
      for (const entityId of entityIds) {
        const row = sql.stored.get(pointId(collection, tenantId, entityId));
        if (!row || row.tenant_id !== tenantId) continue;
        if (!row.deleted) dropPoint(sql, row.rowid, row.tenant_id);
        remove.run(row.rowid);
      }
    });
  }

  async eraseTenant(collection: Collection, tenantId: string): Promise<number> {
    return eraseTenantPoints(this.db, collection, this.#statements(collection), tenantId);
  }

  async ping(): Promise<void> {
    this.db.query("SELECT 1").get();
  }

  async close(): Promise<void> {}
}
