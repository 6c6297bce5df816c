import { type AnyMeshEvent, entityIdOf, partitionKey } from "@event-mesh/contracts";
import type { SQL } from "bun";
import { storedEvent } from "../sink/index.ts";

/**
 * Shards of a Postgres outbox. Fixed: a row's shard is stored with it, and changing the count
 * while rows wait would let two relays send one entity's events at once.
 */
export const OUTBOX_SHARDS = 32;

/** NOTIFY channel that wakes the relays after commits that wrote outbox rows. */
export const OUTBOX_CHANNEL = "outbox";

/** The shard of a partition key. */
export function shardOf(key: string): number {
  return Bun.hash.crc32(key) % OUTBOX_SHARDS;
}

/** An outbox row of `event`, ready for an INSERT (several at once with `sql(rows)`). */
export function outboxRow(event: AnyMeshEvent): {
  shard: number;
  partition_key: string;
  event: string;
} {
  const key = partitionKey(event.tenantId, entityIdOf(event.type, event.data));
  return { shard: shardOf(key), partition_key: key, event: storedEvent(event) };
}

/**
 * Writes `event` to the outbox; call with the transaction of the change it describes. Write it
 * after the entity's row: the row lock then orders two transactions on one entity, so their
 * seq order is their commit order. After the commit, call the outbox's `notify()` to wake the
 * relays at once (they also wake every rebalance period on their own).
 */
export async function appendPostgres(tx: SQL, event: AnyMeshEvent): Promise<void> {
  await tx`INSERT INTO outbox ${tx(outboxRow(event))}`;
}
