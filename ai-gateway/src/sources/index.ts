import type { Incoming } from "../pipeline/pipeline.ts";

/**
 * Something that feeds the pipeline. Both sources hand their items to the same batcher:
 * `KafkaSource` (sources/kafka.ts) reads the event topics, and the HTTP ingest route
 * (routes/events.ts) submits decoded CloudEvents and answers once its items are stored.
 */
export interface Source {
  readonly name: string;
  /** Starts feeding; resolves once connected. */
  start(): Promise<void>;
  /** Stops taking new messages; items already submitted still complete. */
  stop(): Promise<void>;
  /** Called after the batch holding `items` is stored: acknowledge them (commit offsets). */
  ack(items: readonly Incoming[]): Promise<void>;
  /** Closes connections; call after the last batch was acknowledged. */
  close(): Promise<void>;
  /** Rejects when the source cannot currently consume (for `/readyz`). */
  probe(): Promise<void>;
}
