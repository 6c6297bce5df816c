import {
  type AnyMeshEvent,
  isEventType,
  type StructuredCloudEvent,
  toStructured,
} from "@event-mesh/contracts";

/**
 * An event as the outbox holds it: its CloudEvents JSON (structured mode), serialized once in
 * the transaction that wrote the change. The HTTP sink sends it as it is; the Kafka sink reads
 * it back without re-validating, since this service built it from validated fields.
 */
export type StoredEvent = string;

/** The outbox form of an event. */
export function storedEvent(event: AnyMeshEvent): StoredEvent {
  return JSON.stringify(toStructured(event));
}

/**
 * The event of a stored row. Only the shape is checked (a known type, a tenant): the full
 * contract check already ran on the fields it was built from, and the consumer's decoder is the
 * boundary that checks it again. Throws on a row that is not such JSON (a file edited by hand):
 * the relay then retries and logs rather than send or drop it.
 */
export function eventOf(stored: StoredEvent): AnyMeshEvent {
  const ce = JSON.parse(stored) as Partial<StructuredCloudEvent> | null;
  if (!ce || !isEventType(ce.type) || typeof ce.tenantid !== "string" || !ce.data) {
    throw new Error(`outbox row is not an event of this service: ${stored.slice(0, 200)}`);
  }
  return {
    id: String(ce.id),
    type: ce.type,
    source: String(ce.source),
    time: String(ce.time),
    tenantId: ce.tenantid,
    version: Number(ce.entityversion),
    data: ce.data,
  } as AnyMeshEvent;
}

/**
 * Where the relay delivers events. `send` resolves only once the transport acknowledged the
 * whole batch, in order; it rejects otherwise and the relay retries the same batch.
 */
export interface EventSink {
  /** Short name for logs and readiness (`kafka`, `http`). */
  readonly name: string;
  /**
   * A send issued before the previous one settled still reaches the transport after it, in
   * call order (the Kafka client: one request at a time per broker, sequence-numbered). The
   * relay then hands over the next batch early; for other sinks it waits (two HTTP requests
   * may arrive in either order).
   */
  readonly keepsSendOrder?: boolean;
  send(events: readonly StoredEvent[]): Promise<void>;
  /** Resolves when the transport is reachable (readiness probe). */
  probe(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
