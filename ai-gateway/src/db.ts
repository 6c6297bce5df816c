import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as sqliteVec from "sqlite-vec";

/**
 * Most WAL pages the writer lets pile up before it checkpoints itself: checkpoints run on a
 * thread (service-kit's startCheckpointer), this is only the bound on the WAL. Larger than a
 * producer's: an ingest batch writes many pages at once.
 */
export const GATEWAY_WAL_PAGES = 10_000;

/**
 * Opens the gateway's SQLite file (`$DATA_DIR/ai-gateway.sqlite`, or `:memory:`) with WAL and the
 * sqlite-vec extension loaded. Vectors, dead letters and usage share it.
 */
export function openDatabase(dataDir: string | ":memory:"): Database {
  let path = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true });
    path = join(dataDir, "ai-gateway.sqlite");
  }
  const db = new Database(path, { create: true, strict: true });
  // The busy timeout first: switching to WAL needs a moment alone with the file, and another
  // process (a replica on the same file, a tool that just closed it) may hold it briefly.
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  // Erased points, cache entries and dead letters are overwritten with zeros in the file, not
  // left readable in its free pages.
  db.run("PRAGMA secure_delete = ON");
  if (path !== ":memory:") db.run(`PRAGMA wal_autocheckpoint = ${GATEWAY_WAL_PAGES}`);
  sqliteVec.load(db);
  return db;
}

/**
 * Adds the columns `table` lacks (a file written by an older version), each `name TYPE`; columns
 * it has are left alone. SQLite has no `ADD COLUMN IF NOT EXISTS`.
 */
export function addMissingColumns(db: Database, table: string, columns: Record<string, string>) {
  const present = new Set(
    db
      .query<{ name: string }, [string]>("SELECT name FROM pragma_table_info(?)")
      .all(table)
      .map((row) => row.name),
  );
  for (const [name, type] of Object.entries(columns)) {
    if (!present.has(name)) db.run(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}
