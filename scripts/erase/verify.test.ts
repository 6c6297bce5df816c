import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HashingEmbedder } from "../../ai-gateway/src/embedders/hashing.ts";
import { CountingEmbedder, servedGateway } from "../../ai-gateway/test/served-gateway.ts";
import { makeEvent } from "../../contracts/src/index.ts";
import { eventOf } from "../../outbox-kit/src/index.ts";
import { SqliteTaskStore } from "../../task-service/src/store/sqlite.ts";
import { describePostgres, freshDatabase } from "../../test/pg-server.ts";
import { PostgresUserStore } from "../../user-service/src/store/postgres.ts";
import { SqliteUserStore } from "../../user-service/src/store/sqlite.ts";
import { collectNeedles, manifest } from "./needles.ts";
import { verifyTenant } from "./verify.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The embedded mesh on one DATA_DIR: both producers' files and the gateway's. */
async function embeddedMesh() {
  const dir = mkdtempSync(join(tmpdir(), "erase-verify-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const users = new SqliteUserStore(join(dir, "user-service.sqlite"));
  const tasks = new SqliteTaskStore(join(dir, "task-service.sqlite"));
  const embedder = new CountingEmbedder(new HashingEmbedder(384));
  const gw = await servedGateway({ dataDir: dir, embedder });
  cleanups.push(() => {
    gw.stop();
    tasks.close();
    users.close();
  });
  /** What a relay does: sends the outbox's events to the gateway and removes them. */
  const relay = async () => {
    for (const outbox of [users.outbox, tasks.outbox]) {
      const rows = await outbox.peek(1000);
      if (rows.length === 0) continue;
      expect((await gw.post(rows.map((row) => eventOf(row.event)))).status).toBe(200);
      await outbox.remove(rows);
    }
  };
  return { dir, users, tasks, gw, relay };
}

describe("bun run erase --verify on the embedded mesh", () => {
  test("finds nothing after a tenant's erase, and fails on a planted leftover, without printing it", async () => {
    const { dir, users, tasks, gw, relay } = await embeddedMesh();
    await users.create("tenant-a", { email: "ada.lovelace@tenant-a.dev", name: "Ada Lovelace" });
    await users.create("tenant-b", { email: "grace.hopper@tenant-b.dev", name: "Grace Hopper" });
    const now = new Date().toISOString();
    const task = {
      id: Bun.randomUUIDv7(),
      tenantId: "tenant-a",
      title: "Analytical engine notes",
      description: "Bernoulli numbers",
      status: "open" as const,
      assignee: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await tasks.create("tenant-a", task);
    await relay();

    const stores = { dataDirs: [dir] };
    const needles = await collectNeedles("tenant-a", stores);
    expect(needles.texts).toEqual(
      expect.arrayContaining(["Ada Lovelace", "ada.lovelace@tenant-a.dev", "Bernoulli numbers"]),
    );
    expect(needles.ids).toContain(task.id);
    // Before the erase, every store holds some of it.
    const before = await verifyTenant("tenant-a", needles, stores);
    expect(before.map((left) => left.store)).toEqual(
      expect.arrayContaining([
        "sqlite user-service.sqlite",
        "sqlite task-service.sqlite",
        "sqlite ai-gateway.sqlite",
      ]),
    );

    await users.eraseTenant("tenant-a", "op");
    await tasks.eraseTenant("tenant-a", "op");
    await relay(); // tenant.deleted reaches the gateway
    expect(await verifyTenant("tenant-a", needles, stores)).toEqual([]);
    // Not even a word of it in the keyword index (FTS5 keeps deleted words until a merge).
    const gatewayBytes = await Bun.file(join(dir, "ai-gateway.sqlite")).bytes();
    expect(Buffer.from(gatewayBytes).includes("lovelace")).toBe(false);
    // The other tenant is still there, in every store.
    const other = await collectNeedles("tenant-b", stores);
    expect(other.texts).toContain("grace.hopper@tenant-b.dev");

    // A leftover: a dead letter nobody could tie to the tenant, with its e-mail inside.
    const letter = makeEvent("user.created", {
      tenantId: "tenant-b",
      source: "urn:test",
      data: { id: 9, name: "Someone", email: "s@b.dev", tenantId: "tenant-b" },
    });
    gw.db
      .query(
        "INSERT INTO dead_letters (received_at, source, code, reason, value, headers) VALUES (?, 'http', 'x', 'x', ?, '[]')",
      )
      .run(now, JSON.stringify({ ...letter, note: "ada.lovelace@tenant-a.dev" }));
    const left = await verifyTenant("tenant-a", needles, stores);
    expect(left).toEqual([
      { store: "sqlite ai-gateway.sqlite", where: expect.any(String), what: "1 texts" },
    ]);
    expect(JSON.stringify(left)).not.toContain("lovelace");

    // The command: exit 1 while the leftover is there, naming the store and not the text.
    manifest.write(dir, "tenant-a", needles);
    const run = Bun.spawnSync(
      ["bun", join(import.meta.dir, "..", "erase.ts"), "--verify", "--tenant", "tenant-a"],
      {
        env: {
          ...process.env,
          DATA_DIR: dir,
          DATABASE_URL: "",
          TASK_DATABASE_URL: "",
          QDRANT_URL: "",
        },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout.toString()).toContain("LEFT sqlite ai-gateway.sqlite");
    expect(run.stdout.toString()).not.toContain("lovelace");
  });
});

await describePostgres("bun run erase --verify on Postgres", (url) => {
  test("finds the tenant's rows before the erase and none after; a planted row fails it", async () => {
    const db = await freshDatabase(url, "verify");
    const store = await PostgresUserStore.open({ url: db.url, poolMax: 2 });
    cleanups.push(async () => {
      await store.close();
      await db.drop();
    });
    await store.create("tenant-a", { email: "ada.lovelace@tenant-a.dev", name: "Ada Lovelace" });
    await store.create("tenant-b", { email: "grace.hopper@tenant-b.dev", name: "Grace Hopper" });
    const stores = { databaseUrls: [db.url] };
    const needles = await collectNeedles("tenant-a", stores);
    expect(needles.texts).toContain("Ada Lovelace");
    expect((await verifyTenant("tenant-a", needles, stores)).length).toBeGreaterThan(0);
    await store.eraseTenant("tenant-a", "op");
    expect(await verifyTenant("tenant-a", needles, stores)).toEqual([]);
    await store.create("tenant-b", { email: "ada.lovelace@tenant-a.dev", name: "Copy" });
    const left = await verifyTenant("tenant-a", needles, stores);
    expect(left).toEqual([{ store: expect.any(String), where: "outbox events", what: "1 texts" }]);
  });
});
