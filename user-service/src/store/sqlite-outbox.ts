import type { Database } from "bun:sqlite";
import { fromStructured } from "@event-mesh/contracts";
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

/** The outbox table of the users' SQLite file, as the relay reads it. */
export function sqliteOutbox(db: Database, commits: CommitSignal): Outbox {
  return {
    async peek(limit) {
      const rows = db
        .query<{ seq: number; event: string }, [number]>(
          "SELECT seq, event FROM outbox ORDER BY seq LIMIT ?",
        )
        .all(limit);
      return rows.map((row): OutboxRow => {
        const decoded = fromStructured(JSON.parse(row.event));
        // Rows are written from events makeEvent checked; failing here means the file was
        // edited by hand. Refuse loudly (the relay retries and logs) rather than send or drop.
        if (!decoded.ok) throw new Error(`outbox row ${row.seq}: ${decoded.error.message}`);
        return { seq: row.seq, event: decoded.event };
      });
    },
    async remove(throughSeq) {
      db.query("DELETE FROM outbox WHERE seq <= ?").run(throughSeq);
    },
    depth() {
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
