import type { StoredEvent } from "./sink/index.ts";

/** An outbox row: an event waiting for the sink. */
export interface OutboxRow {
  /** Commit order within the row's partition key; the relay sends rows in this order. */
  seq: number;
  /** The event's CloudEvents JSON, as written with the change. */
  event: StoredEvent;
}

/** How many rows wait, and when the oldest was written (ms since epoch). */
export interface OutboxDepth {
  count: number;
  oldestAt: number | undefined;
}

/**
 * The transactional outbox as the relay sees it: events written with their change, read and
 * removed only after the sink acknowledged them.
 */
export interface Outbox {
  /** Up to `limit` oldest rows this relay may send, in sequence order. */
  peek(limit: number): Promise<OutboxRow[]>;
  /** Removes rows the sink acknowledged (a batch `peek` returned). */
  remove(rows: readonly OutboxRow[]): Promise<void>;
  /** Every waiting row of the outbox (all relays' share), for metrics and readiness. */
  depth(): Promise<OutboxDepth>;
  /** Resolves once a row may have been committed after `since` (a `version()`), or on abort. */
  changed(since: number, signal: AbortSignal): Promise<void>;
  /** Counter bumped after every commit that wrote outbox rows. */
  version(): number;
  /** Partitions (shards) this relay holds; 1 for an outbox with a single relay. */
  shardsHeld?(): number;
}
