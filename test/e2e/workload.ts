/**
 * A mixed write workload over several user-service replicas: creates, then updates and deletes
 * of random users, spread round-robin over the replicas that are up. Tracks what the source
 * should hold (latest version of each live user) and which users were deleted.
 */
import { createUser, deleteUser, renameUser, type User } from "./api.ts";

/** What the workload wrote, as the source of truth should now hold it. */
export interface Written {
  live: Map<string, User>;
  deleted: Set<string>;
  /** Answers other than success, by status (a 503 while the database is down, say). */
  refused: Map<number, number>;
}

/** Replicas that take requests; a test removes one when it kills it. */
export class Replicas {
  private next = 0;
  constructor(readonly urls: string[]) {}
  pick(): string {
    const url = this.urls[this.next++ % this.urls.length];
    if (!url) throw new Error("no replica left");
    return url;
  }
  drop(url: string): void {
    const i = this.urls.indexOf(url);
    if (i >= 0) this.urls.splice(i, 1);
  }
}

const statusOf = (error: unknown) => Number(/answered (\d{3})/.exec(String(error))?.[1] ?? 0);

/**
 * Runs `operations` writes with `concurrency` in flight: the first `creates` are creates, then
 * updates and deletes (one in eight) of random live users. A request refused with a status is
 * counted and not retried; one that failed to connect (a replica just killed) is retried on
 * another replica. `onProgress` sees the count of operations done.
 */
export async function runWorkload(
  replicas: Replicas,
  tenant: string,
  options: {
    creates: number;
    operations: number;
    concurrency: number;
    onProgress?: (done: number) => Promise<void> | void;
  },
  written: Written = { live: new Map(), deleted: new Set(), refused: new Map() },
): Promise<Written> {
  let started = 0;
  let done = 0;
  const busy = new Set<string>();
  const one = async (n: number) => {
    for (;;) {
      const url = replicas.pick();
      try {
        if (n < options.creates || written.live.size === 0) {
          const user = await createUser(url, tenant, {
            name: `Person ${n}`,
            email: `p${n}-${crypto.randomUUID().slice(0, 6)}@${tenant}.dev`,
          });
          written.live.set(user.id, user);
          return;
        }
        // One writer per user at a time, so the expected latest version is known.
        const ids = [...written.live.keys()].filter((id) => !busy.has(id));
        const id = ids[Math.floor(Math.random() * ids.length)];
        if (!id) return;
        busy.add(id);
        try {
          if (n % 8 === 0) {
            await deleteUser(url, tenant, id);
            written.live.delete(id);
            written.deleted.add(id);
          } else {
            written.live.set(id, await renameUser(url, tenant, id, `Renamed ${n}`));
          }
        } finally {
          busy.delete(id);
        }
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status === 0) continue; // connection refused or reset: another replica takes it.
        written.refused.set(status, (written.refused.get(status) ?? 0) + 1);
        return;
      }
    }
  };
  const worker = async () => {
    while (started < options.operations) {
      const n = started++;
      await one(n);
      await options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return written;
}
