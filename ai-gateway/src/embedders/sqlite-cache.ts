import type { Database } from "bun:sqlite";
import { addMissingColumns } from "../db.ts";
import { type CacheEntry, type CacheOwner, type EmbeddingCache, textHash } from "./cache.ts";

/** Bounds of the cache (EMBEDDING_CACHE_MAX_ENTRIES, EMBEDDING_CACHE_MAX_AGE_DAYS). */
export interface CacheBounds {
  maxEntries: number;
  maxAgeDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A hit refreshes its entry's age at most this often: a replay must not rewrite every row. */
const TOUCH_EVERY_MS = 60 * 60 * 1000;
/** Expired entries are swept on a write at most this often. */
const SWEEP_EVERY_MS = 60 * 1000;
const ROW_BYTES = "length(vector) + length(text_hash) + length(CAST(embedder AS BLOB))";

/**
 * The embedding cache in the gateway's SQLite file, beside the vectors. Least recently used
 * entries go first past `maxEntries`; entries unused for `maxAgeDays` are dropped. Per file: in
 * scale-out mode each replica has its own (see docs/operations/cache.md).
 */
export class SqliteEmbeddingCache implements EmbeddingCache {
  #entries: number;
  #bytes: number;
  #sweptAt = 0;

  constructor(
    private readonly db: Database,
    private readonly bounds: CacheBounds,
    private readonly now: () => number = Date.now,
  ) {
    // A rowid table: vectors of 1.5 KB and more are a poor fit for WITHOUT ROWID pages.
    db.run(`CREATE TABLE IF NOT EXISTS embedding_cache (
      embedder TEXT NOT NULL, dims INTEGER NOT NULL, text_hash BLOB NOT NULL,
      vector BLOB NOT NULL, used_at INTEGER NOT NULL)`);
    db.run(`CREATE UNIQUE INDEX IF NOT EXISTS embedding_cache_key
      ON embedding_cache (embedder, dims, text_hash)`);
    db.run("CREATE INDEX IF NOT EXISTS embedding_cache_used ON embedding_cache (used_at)");
    // Whose text each entry came from, for erasure; not part of the key. Files of older versions
    // get the columns here (their entries have no owner: see docs/operations/erasure.md).
    addMissingColumns(db, "embedding_cache", { tenant_id: "TEXT", entity: "TEXT" });
    db.run(`CREATE INDEX IF NOT EXISTS embedding_cache_owner
      ON embedding_cache (tenant_id, entity) WHERE tenant_id IS NOT NULL`);
    const row = db
      .query<{ entries: number; bytes: number }, []>(
        `SELECT count(*) AS entries, coalesce(sum(${ROW_BYTES}), 0) AS bytes FROM embedding_cache`,
      )
      .get();
    this.#entries = row?.entries ?? 0;
    this.#bytes = row?.bytes ?? 0;
  }

  get(
    embedder: string,
    dims: number,
    texts: readonly string[],
    scopes?: readonly string[],
  ): (Float32Array | undefined)[] {
    const find = this.db.query<
      { id: number; vector: Uint8Array; used_at: number },
      [string, number, Uint8Array]
    >(
      "SELECT rowid AS id, vector, used_at FROM embedding_cache WHERE embedder = ? AND dims = ? AND text_hash = ?",
    );
    const now = this.now();
    const touched: number[] = [];
    const found = texts.map((text, i) => {
      const row = find.get(embedder, dims, textHash(text, scopes?.[i]));
      if (!row || row.vector.byteLength !== dims * 4) return undefined;
      if (now - row.used_at > TOUCH_EVERY_MS) touched.push(row.id);
      // A copy: the row's buffer belongs to SQLite's result and may not be 4-byte aligned.
      return new Float32Array(row.vector.slice().buffer);
    });
    if (touched.length > 0) {
      const touch = this.db.query("UPDATE embedding_cache SET used_at = ? WHERE rowid = ?");
      this.db.transaction(() => {
        for (const id of touched) touch.run(now, id);
      })();
    }
    return found;
  }

  put(embedder: string, dims: number, entries: readonly CacheEntry[]): void {
    if (entries.length === 0) return;
    const insert = this.db.query(
      `INSERT INTO embedding_cache (embedder, dims, text_hash, vector, used_at, tenant_id, entity)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (embedder, dims, text_hash) DO NOTHING`,
    );
    const now = this.now();
    this.db.transaction(() => {
      for (const { text, vector, scope, owner } of entries) {
        const hash = textHash(text, scope);
        const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
        const by = [owner?.tenantId ?? null, owner?.entity ?? null] as const;
        if (insert.run(embedder, dims, hash, bytes, now, ...by).changes > 0) {
          this.#entries++;
          this.#bytes += bytes.byteLength + hash.byteLength + Buffer.byteLength(embedder);
        }
      }
      if (now - this.#sweptAt >= SWEEP_EVERY_MS) {
        this.#sweptAt = now;
        this.#drop("WHERE used_at < ?", now - this.bounds.maxAgeDays * DAY_MS);
      }
      const excess = this.#entries - this.bounds.maxEntries;
      if (excess > 0)
        this.#drop(
          "WHERE rowid IN (SELECT rowid FROM embedding_cache ORDER BY used_at LIMIT ?)",
          excess,
        );
    })();
  }

  erase(owner: CacheOwner): number {
    const gone =
      owner.entity === undefined
        ? this.db
            .query<{ bytes: number }, [string]>(
              `DELETE FROM embedding_cache WHERE tenant_id = ? RETURNING ${ROW_BYTES} AS bytes`,
            )
            .all(owner.tenantId)
        : this.db
            .query<{ bytes: number }, [string, string]>(
              `DELETE FROM embedding_cache WHERE tenant_id = ? AND entity = ?
               RETURNING ${ROW_BYTES} AS bytes`,
            )
            .all(owner.tenantId, owner.entity);
    this.#entries -= gone.length;
    for (const { bytes } of gone) this.#bytes -= bytes;
    return gone.length;
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.#entries, bytes: this.#bytes };
  }

  #drop(where: string, value: number): void {
    const gone = this.db
      .query<{ bytes: number }, [number]>(
        `DELETE FROM embedding_cache ${where} RETURNING ${ROW_BYTES} AS bytes`,
      )
      .all(value);
    this.#entries -= gone.length;
    for (const { bytes } of gone) this.#bytes -= bytes;
  }
}
