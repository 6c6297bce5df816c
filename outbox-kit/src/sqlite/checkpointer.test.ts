import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteProducer } from "./producer-db.ts";

/** A producer's own migrations folder, with one table of things. */
const SCHEMA = { name: "things", dir: mkdtempSync(join(tmpdir(), "things-migrations-")) };
writeFileSync(
  join(SCHEMA.dir, "001_things.sql"),
  "CREATE TABLE things (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
);

function tempFile() {
  const dir = mkdtempSync(join(tmpdir(), "checkpointer-"));
  return { path: join(dir, "producer.sqlite"), remove: () => rmSync(dir, { recursive: true }) };
}

/** Rows the database file itself holds, read without the WAL (what a checkpoint copied). */
function rowsInMainFile(path: string): number {
  const copy = `${path}.copy`;
  // The file alone, as a copy: opening the original would read the WAL too.
  Bun.spawnSync(["cp", path, copy]);
  const db = new Database(copy, { readonly: true });
  try {
    return db.query<{ n: number }, []>("SELECT count(*) AS n FROM things").get()?.n ?? 0;
  } catch {
    return 0; // the table itself is not checkpointed yet
  } finally {
    db.close();
    rmSync(copy);
  }
}

test("committed writes reach the database file without the writer checkpointing them", async () => {
  const file = tempFile();
  const producer = openSqliteProducer(file.path, SCHEMA);
  try {
    // Far below the writer's own checkpoint threshold: only the checkpoint thread copies them.
    await producer.group.run(() => {
      const insert = producer.db.query("INSERT INTO things (body) VALUES (?)");
      for (let i = 0; i < 500; i++) insert.run(`thing ${i}`);
    });
    let copied = rowsInMainFile(file.path);
    for (let tries = 0; copied < 500 && tries < 200; tries++) {
      await Bun.sleep(25);
      copied = rowsInMainFile(file.path);
    }
    expect(copied).toBe(500);
  } finally {
    producer.close();
    file.remove();
  }
});

test("close() stops the checkpoint thread, so SQLite removes the WAL and the data is kept", async () => {
  const file = tempFile();
  const producer = openSqliteProducer(file.path, SCHEMA);
  await producer.group.run(() => producer.db.query("INSERT INTO things (body) VALUES ('a')").run());
  expect(existsSync(`${file.path}-wal`)).toBe(true);
  producer.close();
  // Only the last connection to close removes the WAL: the thread's connection is closed too.
  expect(existsSync(`${file.path}-wal`)).toBe(false);
  const reopened = new Database(file.path, { readonly: true });
  expect(reopened.query("SELECT body FROM things").all()).toEqual([{ body: "a" }]);
  reopened.close();
  file.remove();
});
