import type { Database } from "bun:sqlite";
import type { AnyMeshEvent } from "@event-mesh/contracts";
import type { CommitSignal } from "../commit-signal.ts";
import type { Outbox, OutboxRow } from "../outbox.ts";
import { storedEvent } from "../sink/index.ts";

/** Writes `event` to the outbox; call inside the transaction of the change it describes. */
export function appendSqlite(db: Database, event: AnyMeshEvent, now = Date.now()): void {
  db.query("INSERT INTO outbox (event, created_at) VALUES (?, ?)").run(storedEvent(event), now);
}

/**
 * The outbox table of a producer's SQLite file, as the relay reads it. `write` runs a write in
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
