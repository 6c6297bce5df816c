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
  // Commits go out in batch order while later batches are processed (see AckChain). Up to
  // ACKS_IN_FLIGHT of them wait for their batch's usage to be published (its linger).
  const acks = new AckChain(ACKS_IN_FLIGHT, options.onAckError ?? (() => {}));
  // After a failed batch (only when stopping), later batches must not commit: their offsets
  // would move the partition past the unprocessed messages (or past unpublished usage).
  let halted = false;
  const refuse = () =>
    new GatewayError("shutting_down", "an earlier batch failed; not acknowledging later ones");
  const acknowledge = options.acknowledge;
  const batcher = new Batcher<Incoming>(async (items) => {
    if (halted) throw refuse();
    options.onBatch?.(items);
    const fromKafka = items.filter((item) => item.source === "kafka");
    // Only Kafka messages can wait for their usage: HTTP callers are answered after it.
    const meterLater = acknowledge !== undefined && fromKafka.length === items.length;
    let outcome: BatchOutcome;
    try {
      outcome = await pipeline.process(items, { meterLater });
      options.onStored?.(outcome);
    } catch (error) {
      halted = true;
      throw error;
    }
    if (!acknowledge || fromKafka.length === 0) return;
    const { metered } = outcome;
    await acks.enqueue(async () => {
      try {
        await metered;
      } catch (error) {
        halted = true;
        throw error;
      }
      if (halted) throw refuse();
      await acknowledge(fromKafka);
    });
  }, options.batching);
  return { pipeline, batcher, acks };
}

/**
 * Acknowledgements that may be pending before the batcher waits: each one waits for its batch's
 * usage (USAGE_LINGER_MS, 100 ms) while batches go on being stored (one every 5 ms or more), and
 * a slow broker still holds the pipeline back.
 */
const ACKS_IN_FLIGHT = 32;
