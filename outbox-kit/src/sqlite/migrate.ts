import type { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MigrationSet, migrationFiles } from "../postgres/migrate.ts";

/** outbox-kit's tables in a producer's SQLite file: outbox, idempotency, probe, erasures. */
export const SQLITE_OUTBOX_MIGRATIONS: MigrationSet = {
  name: "outbox-kit",
  dir: join(import.meta.dir, "..", "..", "migrations", "sqlite"),
};

/**
 * Applies the files of `sets` not yet recorded in the file's `schema_migrations`, as Postgres
 * does (postgres/migrate.ts): all in one IMMEDIATE transaction, so two processes opening the
 * same file apply them once, and a failing file leaves none of this run. Returns what it applied.
 */
export function migrateSqlite(db: Database, sets: readonly MigrationSet[]): string[] {
  const files = migrationFiles(sets);
  const apply = db.transaction(() => {
    db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name       TEXT PRIMARY KEY,
      applied_at TEXT NOT NULL
    ) WITHOUT ROWID`);
    const done = new Set(
      db
        .query<{ name: string }, []>("SELECT name FROM schema_migrations")
        .all()
        .map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.name)) continue;
      db.run(readFileSync(file.path, "utf8"));
      db.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)").run(
        file.name,
        new Date().toISOString(),
      );
      applied.push(file.name);
    }
    return applied;
  });
  return apply.immediate();
}
