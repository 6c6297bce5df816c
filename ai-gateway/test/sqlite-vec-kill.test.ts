import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("kill -9 in the middle of writes, past a tenant's growth to an in-memory index, leaves a consistent store", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-vec-kill-"));
  dirs.push(dir);
  const writer = Bun.spawn(["bun", join(import.meta.dir, "vec-writer.ts")], {
    env: { ...process.env, DATA_DIR: dir, SQLITE_VEC_INDEX_AT: "100" },
    stdout: "pipe",
    stderr: "inherit",
  });
  // Killed once 12 batches are in: "grow" has 360 points by then, past 100 at batch 3.
  let seen = "";
  const decoder = new TextDecoder();
  for await (const chunk of writer.stdout) {
    seen += decoder.decode(chunk);
    if (seen.includes("batch 12\n")) break;
  }
  writer.kill("SIGKILL");
  await writer.exited;

  const db = openDatabase(dir);
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  const store = new SqliteVecStore(db, { indexAt: 100 });
  await store.init(384);
  const n = (sql: string) => db.query<{ n: number }, []>(sql).get()?.n;
  // Every live point has exactly one code, under its own tenant.
  const live = n("SELECT count(*) AS n FROM points_users WHERE deleted = 0");
  expect(n("SELECT count(*) AS n FROM tenant_codes_users")).toBe(live ?? -1);
  expect(
    n(`SELECT count(*) AS n FROM tenant_codes_users c JOIN points_users p ON p.rowid = c.rowid
       WHERE p.tenant_id = c.tenant_id AND p.deleted = 0`),
  ).toBe(live ?? -1);
  expect(n("SELECT count(*) AS n FROM vectors_users")).toBe(live ?? -1);
  // The large tenant (codes in memory) and a small one (scored exactly) still answer, and only
  // for their own tenant.
  const embedder = new HashingEmbedder(384);
  const grown = await store.search("users", "grow", embedder.embedOne("Person301 Lee"), 5);
  expect(grown[0]?.id).toBe("301");
  const small = await store.search("users", "small-3", embedder.embedOne("Person5 Lee"), 5);
  expect(small[0]?.id).toBe("5");
  expect(small.every((hit) => hit.data.tenantId === "small-3")).toBe(true);
});
