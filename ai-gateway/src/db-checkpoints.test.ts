import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCheckpointer } from "@event-mesh/service-kit";
import { GATEWAY_WAL_PAGES, openDatabase } from "./db.ts";

test("copies committed WAL pages into the database file without the writer checkpointing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-wal-"));
  try {
    const db = openDatabase(dir);
    const stopCheckpointer = startCheckpointer(db, db.filename, GATEWAY_WAL_PAGES);
    db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, blob BLOB)");
    const insert = db.prepare("INSERT INTO t (blob) VALUES (?)");
    // About 2 MB: far below the writer's own checkpoint threshold.
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(new Uint8Array(4096));
    })();
    const before = statSync(db.filename).size;
    let after = before;
    for (let waited = 0; waited < 5_000 && after < 2_000_000; waited += 50) {
      await Bun.sleep(50);
      after = statSync(db.filename).size;
    }
    expect(after).toBeGreaterThan(2_000_000);
    expect(after).toBeGreaterThan(before);
    stopCheckpointer();
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM t").get()?.n).toBe(500);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
