/** Billed usage metrics (the contract's `UsageMetric`). */
export type UsageMetric = "embeddings" | "searches";

/** One tenant's usage of one metric grew by `amount`. */
export interface UsageIncrement {
  tenantId: string;
  metric: UsageMetric;
  amount: number;
}

/** Where usage is metered, and the caller tenant's totals are read back from. */
export interface UsageMeter {
  record(increments: readonly UsageIncrement[]): Promise<void>;
  totals(tenantId: string): Promise<Record<UsageMetric, number>>;
}
