import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { startCheckpointer } from "@event-mesh/service-kit";
import { CommitSignal } from "../commit-signal.ts";
import { SQLITE_ERASURE_SCHEMA } from "../erasure.ts";
import { SQLITE_IDEMPOTENCY_SCHEMA } from "../idempotency.ts";
import type { Outbox } from "../outbox.ts";
import { SQLITE_PROBE_SCHEMA } from "../probe.ts";
import { GroupCommit } from "./group-commit.ts";
import { SQLITE_OUTBOX_SCHEMA, sqliteOutbox } from "./outbox.ts";

/** A producer's SQLite file, opened: the database, its group commit and its outbox. */
export interface SqliteProducerDb {
  db: Database;
  /** Runs write transactions (the entity, its event) in the group commit. */
  group: GroupCommit;
  outbox: Outbox;
  /** Stops the checkpoint thread, then closes the database. */
  close(): void;
}

/**
 * Opens (or creates) a producer's SQLite file in WAL mode with `schema` (its own tables) plus the
 * outbox, idempotency and probe tables. bun:sqlite is synchronous, so each transaction runs
 * without interleaving with other requests of this process; commits wake the relay at once.
 */
export function openSqliteProducer(path: string, schema: string): SqliteProducerDb {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  // Another process (a second instance, a backup) may hold the lock briefly; set before the
  // switch to WAL, which needs the file to itself for a moment.
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  // Erased rows are overwritten with zeros, not left readable in free pages of the file.
  db.run("PRAGMA secure_delete = ON");
  db.run(schema);
  db.run(SQLITE_OUTBOX_SCHEMA);
  db.run(SQLITE_IDEMPOTENCY_SCHEMA);
  db.run(SQLITE_PROBE_SCHEMA);
  db.run(SQLITE_ERASURE_SCHEMA);
  const commits = new CommitSignal();
  // After a commit: wake the relay at once instead of letting it poll.
  const group = new GroupCommit(db, () => commits.notify());
  const outbox = sqliteOutbox(db, commits, (work) => group.run(work));
  const stopCheckpointer = path === ":memory:" ? () => {} : startCheckpointer(db, path);
  return {
    db,
    group,
    outbox,
    close() {
      stopCheckpointer();
      db.close();
    },
  };
}
