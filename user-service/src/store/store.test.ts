import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describePostgres, freshDatabase } from "../../../test/pg-server.ts";
import { holdCheckpointLock } from "../../../test/sqlite-lock.ts";
import { PostgresUserStore } from "./postgres.ts";
import { SqliteUserStore } from "./sqlite.ts";
import { storeContract } from "./store-contract.ts";

describe("SQLite store", () => {
  storeContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-"));
    const store = new SqliteUserStore(join(dir, "user-service.sqlite"));
    return {
      store,
      close: async () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describe("SQLite store, erase and writes in one group commit", () => {
  // Postgres still has the window between the HTTP check and the write (docs/operations/erasure.md).
  test("a write queued together with its tenant's erase is refused with 410, not stored after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-"));
    const store = new SqliteUserStore(join(dir, "user-service.sqlite"));
    try {
      await store.create("tenant-x", { email: "x@x.dev", name: "X" });
      const [erased, late] = await Promise.allSettled([
        store.eraseTenant("tenant-x", "op"),
        store.create("tenant-x", { email: "late@x.dev", name: "Late" }),
      ]);
      expect(erased.status).toBe("fulfilled");
      expect(late).toMatchObject({
        status: "rejected",
        reason: { status: 410, code: "tenant_erased" },
      });
      expect((await store.list("tenant-x", { limit: 10 })).users).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("an erase while another process checkpoints the file still leaves no name in it or its WAL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "store-"));
  const path = join(dir, "user-service.sqlite");
  const store = new SqliteUserStore(path);
  try {
    const names = Array.from({ length: 50 }, (_, i) => `Checkpointed Person ${i}`);
    for (const [i, name] of names.entries())
      await store.create("tenant-x", { email: `p${i}@x.dev`, name });
    await holdCheckpointLock(path, 400);
    await store.eraseTenant("tenant-x", "op");
    const bytes = [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file));
    expect(names.filter((name) => bytes.some((b) => b.includes(name)))).toEqual([]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

await describePostgres("Postgres store", (url) => {
  storeContract(async () => {
    const db = await freshDatabase(url, "store");
    const store = await PostgresUserStore.open({ url: db.url, poolMax: 4 });
    return {
      store,
      close: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
});
