import type { Database } from "bun:sqlite";
import { createErasureTable } from "../erasure/table.ts";
import type { UsageIncrement, UsageMetric } from "./index.ts";

/** One usage event read from the usage topic, at its place in the log. */
export interface TalliedIncrement extends UsageIncrement {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * Global usage totals (Kafka mode): the sum of every `billing.usage.incremented` event on the
 * usage topic, whoever published it. Each replica keeps its own copy in its SQLite file, with the
 * next offset to read per partition in the same transaction, so an event is counted exactly once
 * even when the process dies between counting it and committing its offset to Kafka.
 * Apart from `usage_totals` (embedded mode's tally, and the per-instance tally of older versions).
 */
export class UsageTally {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS usage_global (
      tenant_id TEXT NOT NULL, metric TEXT NOT NULL, amount INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, metric)) WITHOUT ROWID`);
    createErasureTable(db);
    db.run(`CREATE TABLE IF NOT EXISTS usage_offsets (
      topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset TEXT NOT NULL,
      PRIMARY KEY (topic, partition)) WITHOUT ROWID`);
  }

  /** Adds the increments not counted yet (at or past each partition's next offset); returns how many. */
  add(increments: readonly TalliedIncrement[]): number {
    const next = this.db.query<{ next_offset: string }, [string, number]>(
      "SELECT next_offset FROM usage_offsets WHERE topic = ? AND partition = ?",
    );
    const add = this.db.query(
      `INSERT INTO usage_global (tenant_id, metric, amount) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, metric) DO UPDATE SET amount = amount + excluded.amount`,
    );
    const move = this.db.query(
      `INSERT INTO usage_offsets (topic, partition, next_offset) VALUES (?, ?, ?)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
    );
    const erased = this.db.query(
      "SELECT 1 FROM gateway_erasures WHERE tenant_id = ? AND provisioned_at IS NULL",
    );
    return this.db.transaction(() => {
      let counted = 0;
      for (const item of increments) {
        const stored = next.get(item.topic, item.partition);
        if (stored && item.offset < BigInt(stored.next_offset)) continue;
        // An erased tenant's increments still on the topic are read past, not counted again.
        if (item.amount > 0 && !erased.get(item.tenantId))
          add.run(item.tenantId, item.metric, item.amount);
        move.run(item.topic, item.partition, String(item.offset + 1n));
        counted++;
      }
      return counted;
    })();
  }

  /** Marks a message that is not a usage event as read, so it is not looked at again. */
  skip(topic: string, partition: number, offset: bigint): void {
    this.add([{ topic, partition, offset, tenantId: "", metric: "searches", amount: 0 }]);
  }

  totals(tenantId: string): Record<UsageMetric, number> {
    const totals: Record<UsageMetric, number> = { embeddings: 0, searches: 0 };
    const rows = this.db
      .query<{ metric: string; amount: number }, [string]>(
        "SELECT metric, amount FROM usage_global WHERE tenant_id = ?",
      )
      .all(tenantId);
    for (const row of rows)
      if (row.metric === "embeddings" || row.metric === "searches") totals[row.metric] = row.amount;
    return totals;
  }
}
