import type { Database } from "bun:sqlite";
import { GatewayError } from "../errors.ts";
import {
  COLLECTIONS,
  type Collection,
  type PointDelete,
  type PointUpsert,
  type SearchHit,
  type VectorStore,
  type WriteResult,
} from "./index.ts";

/**
 * Embedded vector store: one sqlite-vec `vec0` table per collection with the tenant as partition
 * key, so a KNN query only scans the caller's tenant. A plain ledger table keeps the last version
 * of every entity, deleted ones included, so a late, older event cannot bring a deleted entity back.
 */
export class SqliteVecStore implements VectorStore {
  readonly name = "sqlite-vec";
  #dims = 0;

  constructor(private readonly db: Database) {}

  async init(dims: number): Promise<void> {
    this.#dims = dims;
    this.db.run(`CREATE TABLE IF NOT EXISTS vector_versions (
      collection TEXT NOT NULL, point_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
      version INTEGER NOT NULL, deleted INTEGER NOT NULL,
      PRIMARY KEY (collection, point_id)) WITHOUT ROWID`);
    this.db.run(
      "CREATE TABLE IF NOT EXISTS vector_meta (collection TEXT PRIMARY KEY, dims INTEGER NOT NULL)",
    );
    for (const collection of COLLECTIONS) {
      const meta = this.db
        .query<{ dims: number }, [string]>("SELECT dims FROM vector_meta WHERE collection = ?")
        .get(collection);
      if (meta && meta.dims !== dims) {
        throw new GatewayError(
          "store_failed",
          `${collection}: stored vectors have ${meta.dims} dimensions, the embedder makes ${dims}`,
        );
      }
      this.db.run(`CREATE VIRTUAL TABLE IF NOT EXISTS vec_${collection} USING vec0(
        point_id TEXT PRIMARY KEY,
        tenant_id TEXT PARTITION KEY,
        embedding FLOAT[${dims}] distance_metric=cosine,
        +payload TEXT)`);
      this.db.run("INSERT OR IGNORE INTO vector_meta (collection, dims) VALUES (?, ?)", [
        collection,
        dims,
      ]);
    }
  }

  async write(
    collection: Collection,
    ops: { upserts: readonly PointUpsert[]; deletes: readonly PointDelete[] },
  ): Promise<WriteResult> {
    const table = `vec_${collection}`;
    const stored = this.db.query<{ version: number }, [string, string]>(
      "SELECT version FROM vector_versions WHERE collection = ? AND point_id = ?",
    );
    const remember = this.db.query(
      `INSERT INTO vector_versions (collection, point_id, tenant_id, version, deleted) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, point_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted`,
    );
    const remove = this.db.query(`DELETE FROM ${table} WHERE point_id = ?`);
    const insert = this.db.query(
      `INSERT INTO ${table} (point_id, tenant_id, embedding, payload) VALUES (?, ?, ?, ?)`,
    );
    const isStale = (id: string, version: number) =>
      (stored.get(collection, id)?.version ?? 0) > version;

    const result: WriteResult = { upserted: 0, deleted: 0, stale: 0 };
    // One transaction per batch: all of it is stored, or none of it.
    this.db.transaction(() => {
      for (const point of ops.upserts) {
        if (point.vector.length !== this.#dims) {
          throw new GatewayError("store_failed", `vector of ${point.vector.length} dimensions`);
        }
        if (isStale(point.id, point.version)) {
          result.stale++;
          continue;
        }
        const payload = {
          tenantId: point.tenantId,
          entityId: point.entityId,
          version: point.version,
          data: point.data,
        };
        // vec0 has no UPSERT: replace by delete + insert.
        remove.run(point.id);
        insert.run(point.id, point.tenantId, point.vector, JSON.stringify(payload));
        remember.run(collection, point.id, point.tenantId, point.version, 0);
        result.upserted++;
      }
      for (const point of ops.deletes) {
        if (isStale(point.id, point.version)) {
          result.stale++;
          continue;
        }
        remove.run(point.id);
        remember.run(collection, point.id, point.tenantId, point.version, 1);
        result.deleted++;
      }
    })();
    return result;
  }

  async search(
    collection: Collection,
    tenantId: string,
    vector: Float32Array,
    limit: number,
  ): Promise<SearchHit[]> {
    const rows = this.db
      .query<{ payload: string; distance: number }, [Float32Array, number, string]>(
        `SELECT payload, distance FROM vec_${collection}
         WHERE embedding MATCH ? AND k = ? AND tenant_id = ? ORDER BY distance`,
      )
      .all(vector, limit, tenantId);
    const hits: SearchHit[] = [];
    for (const row of rows) {
      const payload = readPayload(row.payload);
      // The partition key already filters; checking again costs nothing and guards the invariant.
      if (!payload || payload.tenantId !== tenantId) continue;
      hits.push({ id: payload.entityId, score: 1 - row.distance, data: payload.data });
    }
    return hits;
  }

  async count(collection: Collection, tenantId?: string): Promise<number> {
    const row =
      tenantId === undefined
        ? this.db.query<{ n: number }, []>(`SELECT count(*) AS n FROM vec_${collection}`).get()
        : this.db
            .query<{ n: number }, [string]>(
              `SELECT count(*) AS n FROM vec_${collection} WHERE tenant_id = ?`,
            )
            .get(tenantId);
    return row?.n ?? 0;
  }

  async ping(): Promise<void> {
    this.db.query("SELECT 1").get();
  }

  async close(): Promise<void> {}
}

function readPayload(
  text: string,
): { tenantId: string; entityId: string; data: Record<string, unknown> } | null {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) return null;
  const { tenantId, entityId, data } = value as Record<string, unknown>;
  if (typeof tenantId !== "string" || typeof entityId !== "string") return null;
  if (typeof data !== "object" || data === null) return null;
  return { tenantId, entityId, data: data as Record<string, unknown> };
}
