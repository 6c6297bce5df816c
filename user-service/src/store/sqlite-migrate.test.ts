import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteUserStore } from "./sqlite.ts";

test("a file written before the migrations keeps its users, and e-mails stay unique case-blind", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "users-old-")), "users.sqlite");
  // The layout user-service wrote before its SQLite schema became migrations: an e-mail key copy.
  const old = new Database(path, { create: true });
  old.run(`CREATE TABLE users (
    tenant_id TEXT NOT NULL, id TEXT NOT NULL, email TEXT NOT NULL, email_key TEXT NOT NULL,
    name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    version INTEGER NOT NULL, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID`);
  old.run("CREATE UNIQUE INDEX users_email ON users (tenant_id, email_key)");
  old.run(
    `INSERT INTO users VALUES ('tenant-a', '0190-old', 'Alice@Example.dev', 'alice@example.dev',
     'Alice', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 3)`,
  );
  old.close();

  const store = new SqliteUserStore(path);
  try {
    expect(await store.get("tenant-a", "0190-old")).toMatchObject({
      email: "Alice@Example.dev",
      version: 3,
    });
    const taken = await store.create("tenant-a", { email: "alice@EXAMPLE.dev", name: "Copy" });
    expect(taken).toEqual({ ok: false, reason: "email_taken" });
    const other = await store.create("tenant-b", { email: "alice@example.dev", name: "B" });
    expect(other.ok).toBe(true);
  } finally {
    await store.close();
  }
  const reopened = new Database(path, { readonly: true });
  const columns = reopened
    .query<{ name: string }, []>("SELECT name FROM pragma_table_info('users')")
    .all()
    .map((row) => row.name);
  expect(columns).not.toContain("email_key");
  const done = reopened
    .query<{ name: string }, []>("SELECT name FROM schema_migrations ORDER BY name")
    .all()
    .map((row) => row.name);
  expect(done).toEqual([
    "outbox-kit/001_outbox.sql",
    "user-service/001_users.sql",
    "user-service/002_email_lower.sql",
  ]);
  reopened.close();
});
