import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SQL } from "bun";

/** A folder of numbered SQL files (`001_users.sql`, …), applied in name order. */
export interface MigrationSet {
  /** Recorded with each file name, so two packages may both have a `001_…`. */
  name: string;
  dir: string;
}

/** The outbox table's migrations; every producer applies them with its own. */
export const OUTBOX_MIGRATIONS: MigrationSet = {
  name: "outbox-kit",
  dir: join(import.meta.dir, "..", "..", "migrations"),
};

/** A producer's migrations: the outbox's (and idempotency's), then its own `migrations/` folder. */
export function producerMigrations(name: string, dir: string): MigrationSet[] {
  return [OUTBOX_MIGRATIONS, { name, dir }];
}

/** The files of `sets`, each set in name order, named `<set>/<file>` as they are recorded. */
export function migrationFiles(sets: readonly MigrationSet[]): { name: string; path: string }[] {
  return sets.flatMap((set) =>
    readdirSync(set.dir)
      .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
      .sort()
      .map((file) => ({ name: `${set.name}/${file}`, path: join(set.dir, file) })),
  );
}

/** Key of the advisory lock that serializes migrations across replicas starting together. */
const MIGRATION_LOCK = 7_311_002_001;

/**
 * Applies the files not yet recorded in `schema_migrations`, in one transaction under a
 * transaction-scoped advisory lock: N replicas starting together wait for the first, then find
 * everything applied. A failing file rolls back every file of this run. Returns what it applied.
 */
export async function migrate(sql: SQL, sets: readonly MigrationSet[]): Promise<string[]> {
  const files = migrationFiles(sets);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      name       text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const done = new Set(
      (await tx<{ name: string }[]>`SELECT name FROM schema_migrations`).map((row) => row.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.name)) continue;
      await tx.unsafe(readFileSync(file.path, "utf8"));
      await tx`INSERT INTO schema_migrations (name) VALUES (${file.name})`;
      applied.push(file.name);
    }
    return applied;
  });
}
