import { GatewayError } from "../errors.ts";
import { AckChain } from "./ack-chain.ts";
import { Batcher, type BatcherOptions } from "./batcher.ts";
import { type BatchOutcome, type Incoming, Pipeline, type PipelineDeps } from "./pipeline.ts";

/** What `buildPipeline` needs beside the pipeline's own dependencies. */
export interface BuildPipelineOptions {
  /** Batching bounds of the batcher in front of the pipeline. */
  batching: BatcherOptions<Incoming>;
  /**
   * Acknowledges stored Kafka messages (commits their offsets); called in batch order through
   * an AckChain, after the batch is stored. Absent in embedded mode (HTTP needs no commit).
   */
  acknowledge?: (items: Incoming[]) => Promise<void>;
  /** Called when an acknowledgement fails; the next one covers it. */
  onAckError?: (error: unknown) => void;
  /** Sees each batch before it is processed (tests: the order batches were cut in). */
  onBatch?: (items: readonly Incoming[]) => void;
  /** Called after each stored batch: read-your-writes wakes the searches waiting for it. */
  onStored?: (outcome: BatchOutcome) => void;
}

/**
 * The batcher in front of the pipeline, with the batch handler every source shares: process a
 * batch, then acknowledge its Kafka messages in order (while the next batch is processed).
 */
export function buildPipeline(deps: PipelineDeps, options: BuildPipelineOptions) {
  const pipeline = new Pipeline(deps);
  // Commits go out in batch order while the next batch is processed (see AckChain).
  const acks = new AckChain(1, options.onAckError ?? (() => {}));
  // After a failed batch (only when stopping), later batches must not commit: their offsets
  // would move the partition past the unprocessed messages.
  let halted = false;
  const acknowledge = options.acknowledge;
  const batcher = new Batcher<Incoming>(async (items) => {
    if (halted)
      throw new GatewayError(
        "shutting_down",
        "an earlier batch failed; not acknowledging later ones",
      );
    options.onBatch?.(items);
    try {
      const outcome = await pipeline.process(items);
      options.onStored?.(outcome);
    } catch (error) {
      halted = true;
      throw error;
    }
    const fromKafka = items.filter((item) => item.source === "kafka");
    if (acknowledge && fromKafka.length > 0) await acks.enqueue(() => acknowledge(fromKafka));
  }, options.batching);
  return { pipeline, batcher, acks };
}
