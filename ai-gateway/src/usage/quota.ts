import type { Database } from "bun:sqlite";
import type { TenantLimits } from "../limits/tenant-limits.ts";

/** One tenant's embeddings of the current UTC day. */
export interface QuotaDay {
  /** Embeddings computed today (cache hits are free). */
  computed: number;
  /** Events refused today because the quota was used up (dead-lettered, not stored). */
  held: number;
}

/**
 * Embeddings computed per tenant and UTC day, for EMBEDDINGS_PER_DAY quotas. In the gateway's
 * SQLite file: in Kafka mode each replica counts what it embedded (see docs/operations/limits.md).
 */
export class EmbeddingQuotaLog {
  constructor(
    private readonly db: Database,
    private readonly limits: TenantLimits,
    private readonly now: () => number = Date.now,
  ) {
    db.run(`CREATE TABLE IF NOT EXISTS embedding_quota_days (
      tenant_id TEXT NOT NULL, day TEXT NOT NULL, computed INTEGER NOT NULL, held INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, day)) WITHOUT ROWID`);
  }

  /** `tenantId`'s embeddingsPerDay; undefined → unlimited. */
  limitOf(tenantId: string): number | undefined {
    return this.limits.of(tenantId).embeddingsPerDay;
  }

  /** Today's counts of `tenantId`. */
  today(tenantId: string): QuotaDay {
    const row = this.db
      .query<QuotaDay, [string, string]>(
        "SELECT computed, held FROM embedding_quota_days WHERE tenant_id = ? AND day = ?",
      )
      .get(tenantId, this.#day());
    return row ?? { computed: 0, held: 0 };
  }

  /** Adds today's computed and held counts per tenant. */
  record(counts: ReadonlyMap<string, QuotaDay>): void {
    if (counts.size === 0) return;
    const add = this.db.query(
      `INSERT INTO embedding_quota_days (tenant_id, day, computed, held) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, day) DO UPDATE
       SET computed = computed + excluded.computed, held = held + excluded.held`,
    );
    const day = this.#day();
    this.db.transaction(() => {
      for (const [tenantId, { computed, held }] of counts) add.run(tenantId, day, computed, held);
      // Yesterday and before are never read again.
      this.db.query("DELETE FROM embedding_quota_days WHERE day < ?").run(day);
    })();
  }

  #day(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }
}
