import { SQL } from "bun";
import { OUTBOX_SHARDS } from "./append.ts";

/** First key of the outbox's advisory locks; the second is the shard, or MEMBER. */
const LOCK_NAMESPACE = 731_100;
/** Held shared by every live relay, so each can count the others. */
const MEMBER = 1_000;

/** Options of the shard leases. */
export interface ShardLeaseOptions {
  url: string;
  /** How often shares are rebalanced (and orphaned shards taken over), ms. */
  rebalanceMs: number;
}

/**
 * Which outbox shards this relay may send. Each shard is a session advisory lock of a
 * connection of its own: at most one relay holds a shard, and when a relay dies its connection
 * drops and Postgres releases its locks, so a survivor takes the shard at its next rebalance.
 * Every relay takes a fair share, ceil(shards / live relays), so N relays split the work.
 * Rebalancing happens only between batches (`shards()`), never under a batch in flight.
 */
export class ShardLeases {
  private client: SQL | undefined;
  /** Backend pid of the session that holds `held`; another pid means the locks are gone. */
  pid: number | undefined;
  private readonly held = new Set<number>();
  private nextRebalance = 0;

  constructor(private readonly options: ShardLeaseOptions) {}

  /** How many shards this relay holds now. */
  get count(): number {
    return this.held.size;
  }

  /** The lock connection; peeks and removals run on it, so they fail once its locks are lost. */
  async connection(): Promise<{ client: SQL; pid: number }> {
    if (this.client && this.pid !== undefined) return { client: this.client, pid: this.pid };
    const client = new SQL({
      url: this.options.url,
      max: 1,
      idleTimeout: 0,
      connectionTimeout: 5,
      // The session ended (server restart, network): its locks went with it.
      onclose: () => this.lost(client),
    });
    try {
      const [row] = await client<{ pid: number }[]>`
        SELECT pg_backend_pid() AS pid, pg_advisory_lock_shared(${LOCK_NAMESPACE}, ${MEMBER})`;
      // This session only deletes sent rows: a delete lost in a crash means those rows are sent
      // again, which at-least-once allows, so it need not wait for the WAL flush.
      await client`SET synchronous_commit = off`;
      this.client = client;
      this.pid = row?.pid;
      this.nextRebalance = 0;
      return { client, pid: this.pid ?? -1 };
    } catch (error) {
      await client.close({ timeout: 0 }).catch(() => {});
      throw error;
    }
  }

  /** The shards held, after rebalancing when due. Call only between batches. */
  async shards(): Promise<number[]> {
    const { client } = await this.connection();
    if (Date.now() >= this.nextRebalance) {
      await this.rebalance(client);
      this.nextRebalance = Date.now() + this.options.rebalanceMs;
    }
    return [...this.held];
  }

  /** Checks a query's backend pid: rows read on another session were not read under our locks. */
  verify(pid: number): void {
    if (pid !== this.pid) {
      if (this.client) this.lost(this.client);
      throw new Error("outbox lock session was replaced; shards are taken again");
    }
  }

  /** Forgets the session (after an error on it): the next call opens a new one. */
  lost(client: SQL | undefined = this.client): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.pid = undefined;
    this.held.clear();
    client?.close({ timeout: 0 }).catch(() => {});
  }

  /** Gives every shard back (clean shutdown), so others take them without waiting. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    await client?.close({ timeout: 1 }).catch(() => {});
  }

  private async rebalance(client: SQL): Promise<void> {
    const [row] = await client<{ members: number }[]>`
      SELECT count(*)::int AS members FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid::bigint = ${LOCK_NAMESPACE} AND objid::bigint = ${MEMBER}`;
    const fair = Math.ceil(OUTBOX_SHARDS / Math.max(1, row?.members ?? 1));
    for (const shard of [...this.held].slice(fair)) {
      await client`SELECT pg_advisory_unlock(${LOCK_NAMESPACE}, ${shard})`;
      this.held.delete(shard);
    }
    // Start at a random shard, so relays starting together do not all race for the same ones.
    const start = Math.floor(Math.random() * OUTBOX_SHARDS);
    for (let i = 0; i < OUTBOX_SHARDS && this.held.size < fair; i++) {
      const shard = (start + i) % OUTBOX_SHARDS;
      if (this.held.has(shard)) continue;
      const [got] = await client<{ ok: boolean }[]>`
        SELECT pg_try_advisory_lock(${LOCK_NAMESPACE}, ${shard}) AS ok`;
      if (got?.ok) this.held.add(shard);
    }
  }
}
