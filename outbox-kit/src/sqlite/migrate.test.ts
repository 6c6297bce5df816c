import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqlite, SQLITE_OUTBOX_MIGRATIONS } from "./migrate.ts";

function folder(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-migrations-"));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return { name: "app", dir };
}

const tables = (db: Database) =>
  db
    .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    .all()
    .map((row) => row.name);

test("applies each file once, in name order, recording it; a second run applies nothing", () => {
  const db = new Database(":memory:");
  const app = folder({
    "002_b.sql": "ALTER TABLE a ADD COLUMN b TEXT;",
    "001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
    "notes.txt": "not a migration",
  });
  expect(migrateSqlite(db, [SQLITE_OUTBOX_MIGRATIONS, app])).toEqual([
    "outbox-kit/001_outbox.sql",
    "app/001_a.sql",
    "app/002_b.sql",
  ]);
  expect(tables(db)).toEqual(expect.arrayContaining(["a", "outbox", "idempotency", "erasures"]));
  expect(migrateSqlite(db, [SQLITE_OUTBOX_MIGRATIONS, app])).toEqual([]);
});

test("a failing file leaves none of the run applied, and names nothing as done", () => {
  const db = new Database(":memory:");
  const app = folder({
    "001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
    "002_bad.sql": "ALTER TABLE missing ADD COLUMN b TEXT;",
  });
  expect(() => migrateSqlite(db, [app])).toThrow("missing");
  expect(tables(db)).not.toContain("a");
  expect(tables(db)).not.toContain("schema_migrations");
});
