import { type AnyMeshEvent, entityIdOf, partitionKey } from "@event-mesh/contracts";
import type { SQL } from "bun";
import { storedEvent } from "../sink/index.ts";

/**
 * Shards of a Postgres outbox. Fixed: a row's shard is stored with it, and changing the count
 * while rows wait would let two relays send one entity's events at once.
 */
export const OUTBOX_SHARDS = 32;

/** NOTIFY channel that wakes the relays after a commit that wrote outbox rows. */
export const OUTBOX_CHANNEL = "outbox";

/** The shard of a partition key. */
export function shardOf(key: string): number {
  return Bun.hash.crc32(key) % OUTBOX_SHARDS;
}

/**
 * Writes `event` to the outbox; call with the transaction of the change it describes. Write it
 * after the entity's row: the row lock then orders two transactions on one entity, so their
 * seq order is their commit order. The NOTIFY is sent at commit, or not at all.
 */
export async function appendPostgres(tx: SQL, event: AnyMeshEvent): Promise<void> {
  const key = partitionKey(event.tenantId, entityIdOf(event.type, event.data));
  const shard = shardOf(key);
  await tx`INSERT INTO outbox (shard, partition_key, event)
           VALUES (${shard}, ${key}, ${storedEvent(event)})`;
  await tx`SELECT pg_notify(${OUTBOX_CHANNEL}, ${String(shard)})`;
}
