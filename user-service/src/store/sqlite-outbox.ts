import type { Database } from "bun:sqlite";
import type { Outbox, OutboxRow } from "./index.ts";

/** Counts commits and wakes whoever waits for the next one (the relay): no polling. */
export class CommitSignal {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /** Commits so far. */
  get version(): number {
    return this.count;
  }

  /** Called after every commit. */
  notify(): void {
    this.count++;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /** Resolves once a commit happened after `since`, or on abort. */
  changed(since: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.count !== since || signal.aborted) return resolve();
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }
}

/**
 * The outbox table of the users' SQLite file, as the relay reads it. `write` runs a write in
 * the store's group commit: under load, removing a sent batch then shares the COMMIT of the
 * requests' transactions instead of paying for its own.
 */
export function sqliteOutbox(
  db: Database,
  commits: CommitSignal,
  write: (work: () => void) => Promise<void>,
): Outbox {
  return {
    async peek(limit) {
      // The stored JSON as it is: sinks send or map it without parsing and validating it again.
      return db
        .query<OutboxRow, [number]>("SELECT seq, event FROM outbox ORDER BY seq LIMIT ?")
        .all(limit);
    },
    remove(rows) {
      // One relay per file, and rows are peeked oldest first: the batch is a prefix.
      const throughSeq = rows.at(-1)?.seq ?? 0;
      return write(() => {
        db.query("DELETE FROM outbox WHERE seq <= ?").run(throughSeq);
      });
    },
    async depth() {
      const row = db
        .query<{ count: number; oldest: number | null }, []>(
          "SELECT count(*) AS count, min(created_at) AS oldest FROM outbox",
        )
        .get();
      return { count: row?.count ?? 0, oldestAt: row?.oldest ?? undefined };
    },
    version: () => commits.version,
    changed: (since, signal) => commits.changed(since, signal),
  };
}
