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
   * No one's answer waits for it (the Kafka source's batches, whose offsets are committed only
   * after their usage is recorded; a search, answered without waiting): the meter may hold the
   * increments back for its linger (USAGE_LINGER_MS) to send them with later ones. The promise
   * still settles only once they are recorded, or their send failed.
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
