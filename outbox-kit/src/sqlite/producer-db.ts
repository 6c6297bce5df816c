import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { startCheckpointer } from "@event-mesh/service-kit";
import { CommitSignal } from "../commit-signal.ts";
import type { Outbox } from "../outbox.ts";
import type { MigrationSet } from "../postgres/migrate.ts";
import { GroupCommit } from "./group-commit.ts";
import { migrateSqlite, SQLITE_OUTBOX_MIGRATIONS } from "./migrate.ts";
import { sqliteOutbox } from "./outbox.ts";

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
 * Opens (or creates) a producer's SQLite file in WAL mode and migrates it: outbox-kit's tables
 * (outbox, idempotency, probe, erasures), then the producer's own `migrations` folder. bun:sqlite is synchronous, so each transaction runs
 * without interleaving with other requests of this process; commits wake the relay at once.
 */
export function openSqliteProducer(path: string, migrations: MigrationSet): SqliteProducerDb {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  // Another process (a second instance, a backup) may hold the lock briefly; set before the
  // switch to WAL, which needs the file to itself for a moment.
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  // Erased rows are overwritten with zeros, not left readable in free pages of the file.
  db.run("PRAGMA secure_delete = ON");
  migrateSqlite(db, [SQLITE_OUTBOX_MIGRATIONS, migrations]);
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
