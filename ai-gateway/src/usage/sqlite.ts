import type { Database } from "bun:sqlite";
import type { UsageIncrement, UsageMeter, UsageMetric } from "./index.ts";

/** Usage totals in the gateway's SQLite file (embedded mode, and the local tally in Kafka mode). */
export class SqliteUsage implements UsageMeter {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS usage_totals (
      tenant_id TEXT NOT NULL, metric TEXT NOT NULL, amount INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, metric)) WITHOUT ROWID`);
  }

  async record(increments: readonly UsageIncrement[]): Promise<void> {
    const add = this.db.query(
      `INSERT INTO usage_totals (tenant_id, metric, amount) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, metric) DO UPDATE SET amount = amount + excluded.amount`,
    );
    this.db.transaction(() => {
      for (const { tenantId, metric, amount } of increments) add.run(tenantId, metric, amount);
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
