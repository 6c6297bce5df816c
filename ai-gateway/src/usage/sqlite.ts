import type { Database } from "bun:sqlite";
import { createErasureTable } from "../erasure/table.ts";
import type { UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";

/** Usage totals in the gateway's SQLite file (embedded mode, and the local tally in Kafka mode). */
export class SqliteUsage implements UsageMeter {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS usage_totals (
      tenant_id TEXT NOT NULL, metric TEXT NOT NULL, amount INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, metric)) WITHOUT ROWID`);
    createErasureTable(db);
  }

  async record(increments: readonly UsageIncrement[]): Promise<void> {
    const add = this.db.query(
      `INSERT INTO usage_totals (tenant_id, metric, amount) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, metric) DO UPDATE SET amount = amount + excluded.amount`,
    );
    // A search by an erased tenant's token is answered (with nothing) but not metered: a usage
    // row would bring the tenant back into the store it was erased from.
    const erased = this.db.query(
      "SELECT 1 FROM gateway_erasures WHERE tenant_id = ? AND provisioned_at IS NULL",
    );
    this.db.transaction(() => {
      for (const { tenantId, metric, amount } of increments)
        if (!erased.get(tenantId)) add.run(tenantId, metric, amount);
    })();
  }

  async totals(tenantId: string): Promise<Record<UsageMetric, number>> {
    const totals: Record<UsageMetric, number> = { embeddings: 0, searches: 0 };
    const rows = this.db
      .query<{ metric: string; amount: number }, [string]>(
        "SELECT metric, amount FROM usage_totals WHERE tenant_id = ?",
      )
      .all(tenantId);
    for (const row of rows)
      if (row.metric === "embeddings" || row.metric === "searches") totals[row.metric] = row.amount;
    return totals;
  }
}
