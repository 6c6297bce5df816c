import type { Database } from "bun:sqlite";
import type { SQL } from "bun";

/** Writes the probe row of a SQLite store; throws when it cannot. */
export function probeSqlite(db: Database): void {
  db.query("INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)").run(Date.now());
}

/** Writes the probe row of a Postgres store; throws when it cannot. */
export async function probePostgres(sql: SQL): Promise<void> {
  await sql`INSERT INTO probe (id, at) VALUES (1, now())
            ON CONFLICT (id) DO UPDATE SET at = excluded.at`;
}
