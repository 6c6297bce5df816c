import type { Database } from "bun:sqlite";
import type { SQL } from "bun";

/**
 * Readiness of a producer's store is a real write: a store that cannot take one (full disk,
 * read-only, locked) is not ready. Postgres: the table comes with `002_idempotency.sql`.
 */
export const SQLITE_PROBE_SCHEMA =
  "CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);";

/** Writes the probe row of a SQLite store; throws when it cannot. */
export function probeSqlite(db: Database): void {
  db.query("INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)").run(Date.now());
}

/** Writes the probe row of a Postgres store; throws when it cannot. */
export async function probePostgres(sql: SQL): Promise<void> {
  await sql`INSERT INTO probe (id, at) VALUES (1, now())
            ON CONFLICT (id) DO UPDATE SET at = excluded.at`;
}
