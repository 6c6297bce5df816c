import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as sqliteVec from "sqlite-vec";

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
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  db.run("PRAGMA busy_timeout = 5000");
  sqliteVec.load(db);
  return db;
}
