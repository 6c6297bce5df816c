/** Billed usage metrics (the contract's `UsageMetric`). */
export type UsageMetric = "embeddings" | "searches";

/** One tenant's usage of one metric grew by `amount`. */
export interface UsageIncrement {
  tenantId: string;
  metric: UsageMetric;
  amount: number;
}

/** How an increment may be recorded. */
export interface RecordOptions {
  /**
   * The caller does not wait on the answer to anyone (the Kafka source's batches, whose offsets
   * are committed only after their usage is recorded): the meter may hold the increments back
   * for its linger (USAGE_LINGER_MS) to send them with later ones. The promise still resolves
   * only once they are recorded.
   */
  linger?: boolean;
}

/** Where usage is metered, and the caller tenant's totals are read back from. */
export interface UsageMeter {
  record(increments: readonly UsageIncrement[], options?: RecordOptions): Promise<void>;
  totals(tenantId: string): Promise<Record<UsageMetric, number>>;
  /** Records now what a linger holds back (shutdown); resolves once it is recorded. */
  flush?(): Promise<void>;
}
