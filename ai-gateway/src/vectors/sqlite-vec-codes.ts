import type { Database, Statement } from "bun:sqlite";
import { codeBits, signCode } from "./sign-code.ts";

/**
 * A tenant's codes move from the plain table to a `vec0` partition once it has this many: one
 * full `vec0` chunk (its default `chunk_size`). Below it, a partition would be mostly empty space
 * (`vec0` writes a whole chunk, about 100 KB at 384 dimensions, for a tenant's first vector), and
 * its searches score its few vectors exactly instead.
 */
export const PARTITION_AT = 1_024;

/** The candidate query: rowids of one tenant's nearest codes, `?2` the code, `?3` k, `?4` tenant. */
export type CandidateSql = string;

/** Prepared statements of one collection's code tables. */
interface Statements {
  partitioned: Statement<{ one: number }, [string]>;
  putPartitioned: Statement<unknown, [number, string, Uint8Array]>;
  putSmall: Statement<unknown, [string, number, Uint8Array]>;
  dropPartitioned: Statement<unknown, [number]>;
  dropSmall: Statement<unknown, [string, number]>;
  smallCount: Statement<{ n: number }, [string]>;
}

/**
 * The binary codes of one collection, in two layouts chosen per tenant:
 * - `small_codes_<c>`: a plain table clustered by (tenant, rowid), kept until the tenant moves
 *   to a partition (its searches score the vectors exactly). Many small tenants cost a row each,
 *   not a `vec0` chunk each.
 * - `codes_<c>`: a `vec0` table with the tenant as partition key, for tenants with at least
 *   PARTITION_AT codes (listed in `partitioned_<c>`), so a KNN query scans only that tenant.
 * Every statement names the tenant, so neither layout can answer for another one.
 */
export class CodeTables {
  readonly #sql: Statements;
  readonly #partitionAt: number;

  private constructor(
    private readonly db: Database,
    private readonly c: string,
    partitionAt: number,
  ) {
    this.#partitionAt = partitionAt;
    this.#sql = {
      partitioned: db.prepare(`SELECT 1 AS one FROM partitioned_${c} WHERE tenant_id = ?`),
      putPartitioned: db.prepare(
        `INSERT INTO codes_${c} (rowid, tenant_id, code) VALUES (?, ?, vec_bit(?))`,
      ),
      putSmall: db.prepare(
        `INSERT INTO small_codes_${c} (tenant_id, rowid, code) VALUES (?, ?, ?)`,
      ),
      dropPartitioned: db.prepare(`DELETE FROM codes_${c} WHERE rowid = ?`),
      dropSmall: db.prepare(`DELETE FROM small_codes_${c} WHERE tenant_id = ? AND rowid = ?`),
      smallCount: db.prepare(`SELECT count(*) AS n FROM small_codes_${c} WHERE tenant_id = ?`),
    };
  }

  /**
   * Creates the tables (inside the caller's transaction) and returns the collection's handle.
   * A file of the `vec0`-only layout keeps its partitions: every tenant with a code in
   * `codes_<c>` is listed as partitioned, the plain table starts empty.
   */
  static open(db: Database, c: string, dims: number, partitionAt = PARTITION_AT): CodeTables {
    const exists = (name: string) =>
      db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== null;
    const upgrading = exists(`codes_${c}`) && !exists(`partitioned_${c}`);
    db.run(`CREATE VIRTUAL TABLE IF NOT EXISTS codes_${c} USING vec0(
      tenant_id TEXT PARTITION KEY, code BIT[${codeBits(dims)}])`);
    db.run(`CREATE TABLE IF NOT EXISTS small_codes_${c} (tenant_id TEXT NOT NULL,
      rowid INTEGER NOT NULL, code BLOB NOT NULL, PRIMARY KEY (tenant_id, rowid)) WITHOUT ROWID`);
    db.run(
      `CREATE TABLE IF NOT EXISTS partitioned_${c} (tenant_id TEXT PRIMARY KEY) WITHOUT ROWID`,
    );
    if (upgrading) {
      // Every live point of that layout has its code in codes_<c>; tombstones have none.
      db.run(`INSERT INTO partitioned_${c} (tenant_id)
        SELECT DISTINCT tenant_id FROM points_${c} WHERE deleted = 0`);
    }
    return new CodeTables(db, c, partitionAt);
  }

  isPartitioned(tenantId: string): boolean {
    return this.#sql.partitioned.get(tenantId) !== null;
  }

  put(rowid: number, tenantId: string, vector: Float32Array): void {
    const code = signCode(vector);
    if (this.isPartitioned(tenantId)) this.#sql.putPartitioned.run(rowid, tenantId, code);
    else this.#sql.putSmall.run(tenantId, rowid, code);
  }

  drop(rowid: number, tenantId: string): void {
    if (this.isPartitioned(tenantId)) this.#sql.dropPartitioned.run(rowid);
    else this.#sql.dropSmall.run(tenantId, rowid);
  }

  /** After a tenant's codes were dropped one by one: forgets its partition and plain rows. */
  forgetTenant(tenantId: string): void {
    this.db.run(`DELETE FROM small_codes_${this.c} WHERE tenant_id = ?`, [tenantId]);
    this.db.run(`DELETE FROM partitioned_${this.c} WHERE tenant_id = ?`, [tenantId]);
  }

  /** Moves the codes of each given tenant that has reached PARTITION_AT into its partition. */
  partitionGrown(tenants: Iterable<string>): void {
    for (const tenantId of tenants) {
      if (this.isPartitioned(tenantId)) continue;
      if ((this.#sql.smallCount.get(tenantId)?.n ?? 0) < this.#partitionAt) continue;
      const c = this.c;
      this.db.run(
        `INSERT INTO codes_${c} (rowid, tenant_id, code)
         SELECT rowid, tenant_id, vec_bit(code) FROM small_codes_${c} WHERE tenant_id = ?
         ORDER BY rowid`,
        [tenantId],
      );
      this.db.run(`DELETE FROM small_codes_${c} WHERE tenant_id = ?`, [tenantId]);
      this.db.run(`INSERT INTO partitioned_${c} (tenant_id) VALUES (?)`, [tenantId]);
    }
  }

  /** Partitions every tenant of the plain table that has reached PARTITION_AT (after a bulk load). */
  partitionAllGrown(): void {
    const grown = this.db
      .query<{ tenant_id: string }, [number]>(
        `SELECT tenant_id FROM small_codes_${this.c} GROUP BY tenant_id HAVING count(*) >= ?`,
      )
      .all(this.#partitionAt);
    this.partitionGrown(grown.map((row) => row.tenant_id));
  }

  /**
   * The candidate query of a partitioned tenant: a KNN over its `vec0` partition. A tenant still
   * in the plain table is searched exactly on its vectors instead (sqlite-vec-search.ts).
   */
  candidates(): CandidateSql {
    return `SELECT rowid FROM codes_${this.c} WHERE code MATCH vec_bit(?2) AND k = ?3 AND tenant_id = ?4`;
  }
}
