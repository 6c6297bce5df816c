import type { AnyMeshEvent } from "@event-mesh/contracts";

/**
 * Where the relay delivers events. `send` resolves only once the transport acknowledged the
 * whole batch, in order; it rejects otherwise and the relay retries the same batch.
 */
export interface EventSink {
  /** Short name for logs and readiness (`kafka`, `http`). */
  readonly name: string;
  send(events: readonly AnyMeshEvent[]): Promise<void>;
  /** Resolves when the transport is reachable (readiness probe). */
  probe(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
