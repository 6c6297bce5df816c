import type { Database, Statement } from "bun:sqlite";
import { CodeCache } from "./code-cache.ts";
import { CodeIndex } from "./code-index.ts";
import { signCode } from "./sign-code.ts";
import { migrateCodeTables } from "./sqlite-vec-migrate.ts";

/**
 * Codes a tenant needs before its unfiltered vector searches read the nearest binary codes
 * first. Below it, every vector of the tenant is scored exactly (sqlite-vec-search.ts): a few
 * hundred cosine distances cost less than reading the tenant's codes into memory.
 */
export const INDEX_AT = 1_024;

/** Codes read per query when a tenant's codes are read into memory. */
const LOAD_PAGE = 16_384;

/** Prepared statements of one collection's code table. */
interface Statements {
  put: Statement<unknown, [string, number, Uint8Array]>;
  drop: Statement<unknown, [string, number]>;
  forget: Statement<unknown, [string]>;
  /** Codes of a tenant, counted up to `?2` only (the bound keeps it cheap for a large tenant). */
  atLeast: Statement<{ n: number }, [string, number]>;
  /** A page of a tenant's codes after rowid `?2`: their rowids (JSON) and codes, concatenated. */
  page: Statement<{ rowids: string; codes: Uint8Array | null }, [string, number, number]>;
}

/**
 * The binary codes of one collection (sign-code.ts): `tenant_codes_<c>`, a plain table clustered
 * by (tenant, rowid), so a tenant's codes are read in one range and written at about 2 µs a row.
 * A tenant with at least INDEX_AT codes is searched on a copy of its codes in memory
 * (code-index.ts), read from the table at its first search and kept in step with every write
 * after it (code-cache.ts). Every statement and every copy is of one tenant, so neither can answer
 * for another one.
 */
export class CodeTables {
  readonly #sql: Statements;
  readonly #cache: CodeCache;

  private constructor(
    private readonly db: Database,
    private readonly c: string,
    private readonly indexAt: number,
    cacheBytes: number | undefined,
  ) {
    this.#cache = CodeCache.of(db, cacheBytes);
    const table = `tenant_codes_${c}`;
    this.#sql = {
      put: db.prepare(`INSERT INTO ${table} (tenant_id, rowid, code) VALUES (?, ?, ?)`),
      drop: db.prepare(`DELETE FROM ${table} WHERE tenant_id = ? AND rowid = ?`),
      forget: db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`),
      atLeast: db.prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE tenant_id = ?1 LIMIT ?2)`,
      ),
      // group_concat keeps a blob's bytes as they are (it appends sqlite3_value_bytes of each);
      // the cast hands them back as one blob.
      page: db.prepare(
        `SELECT json_group_array(rowid) AS rowids, CAST(group_concat(code, '') AS BLOB) AS codes
         FROM (SELECT rowid, code FROM ${table} WHERE tenant_id = ?1 AND rowid > ?2
           ORDER BY rowid LIMIT ?3)`,
      ),
    };
  }

  /**
   * Creates the table (inside the caller's transaction) and returns the collection's handle.
   * Files of the layouts before it are converted (sqlite-vec-migrate.ts).
   */
  static open(
    db: Database,
    c: string,
    options: { indexAt?: number; cacheBytes?: number } = {},
  ): CodeTables {
    db.run(`CREATE TABLE IF NOT EXISTS tenant_codes_${c} (tenant_id TEXT NOT NULL,
      rowid INTEGER NOT NULL, code BLOB NOT NULL, PRIMARY KEY (tenant_id, rowid)) WITHOUT ROWID`);
    migrateCodeTables(db, c);
    return new CodeTables(db, c, options.indexAt ?? INDEX_AT, options.cacheBytes);
  }

  put(rowid: number, tenantId: string, vector: Float32Array): void {
    const code = signCode(vector);
    this.#sql.put.run(tenantId, rowid, code);
    this.#cache.put(this.c, tenantId, rowid, code);
  }

  drop(rowid: number, tenantId: string): void {
    this.#sql.drop.run(tenantId, rowid);
    this.#cache.drop(this.c, tenantId, rowid);
  }

  /** After a tenant's codes were dropped one by one: removes any left, and its copy. */
  forgetTenant(tenantId: string): void {
    this.#sql.forget.run(tenantId);
    this.#cache.forget(this.c, tenantId);
  }

  /**
   * Runs `write` in one transaction, and keeps the in-memory copies in step with its outcome:
   * every transaction that puts or drops codes goes through here.
   */
  atomic<T>(write: () => T): T {
    try {
      const result = this.db.transaction(write)();
      this.#cache.settled();
      return result;
    } catch (error) {
      this.#cache.discard();
      throw error;
    }
  }

  /**
   * Rowids of the tenant's `k` codes nearest to `vector`'s, or null for a tenant with fewer than
   * INDEX_AT codes (searched exactly instead).
   */
  nearest(tenantId: string, vector: Float32Array, k: number): number[] | null {
    const index = this.#indexOf(tenantId);
    if (!index || index.size < this.indexAt) return null;
    return index.nearest(signCode(vector), k);
  }

  #indexOf(tenantId: string): CodeIndex | null {
    const cached = this.#cache.get(this.c, tenantId);
    if (cached) return cached;
    if ((this.#sql.atLeast.get(tenantId, this.indexAt)?.n ?? 0) < this.indexAt) return null;
    let index: CodeIndex | null = null;
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const page = this.#sql.page.get(tenantId, after, LOAD_PAGE);
      const rowids = JSON.parse(page?.rowids ?? "[]") as number[];
      if (!page?.codes || rowids.length === 0) break;
      index ??= new CodeIndex(page.codes.length / rowids.length);
      index.addMany(rowids, page.codes);
      if (rowids.length < LOAD_PAGE) break;
      after = rowids[rowids.length - 1] as number;
      // Each page is garbage once copied: collected now, reading 1,000,000 codes peaks at the
      // index's size and a page (a process at RSS 141 MB after it), not near twice that (289 MB
      // when left to the collector), and takes 0.46 s instead of 0.73 s (measured in a scratch
      // script, 1,000,000 random codes of 96 bytes).
      Bun.gc(false);
    }
    if (index) this.#cache.keep(this.c, tenantId, index);
    return index;
  }
}
