import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outboxSummary } from "@event-mesh/outbox-kit";
import { describePostgres, freshDatabase } from "../../../test/pg-server.ts";
import { PostgresUserStore } from "../../../user-service/src/store/postgres.ts";
import type { Task, TaskStore } from "./index.ts";
import { PostgresTaskStore } from "./postgres.ts";
import { SqliteTaskStore } from "./sqlite.ts";

type Open = () => Promise<{ store: TaskStore; close: () => Promise<void> }>;

const newTask = (tenantId: string, title: string): Task => {
  const time = new Date().toISOString();
  const id = Bun.randomUUIDv7();
  return {
    id,
    tenantId,
    title,
    description: "",
    status: "open",
    assignee: null,
    createdAt: time,
    updatedAt: time,
    version: 1,
  };
};

/** The same behaviour from both adapters. */
function taskStoreContract(open: Open): void {
  let store: TaskStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  /** [type, entity id, version] of every waiting event, oldest first. */
  const events = () => outboxSummary(store.outbox);

  test("create, update, complete and delete write the task and its event together, in order", async () => {
    const task = newTask("tenant-a", "Plan");
    await store.create("tenant-a", task);
    expect(await store.update("tenant-a", task.id, { title: "Plan!" })).toMatchObject({
      ok: true,
      task: { title: "Plan!", version: 2 },
    });
    expect(await store.complete("tenant-a", task.id)).toMatchObject({
      ok: true,
      task: { status: "completed", version: 3 },
    });
    // Completing a completed task answers it as it is, with no event.
    expect(await store.complete("tenant-a", task.id)).toMatchObject({ task: { version: 3 } });
    expect(await store.get("tenant-a", task.id)).toMatchObject({ title: "Plan!" });
    expect(await store.delete("tenant-a", task.id)).toBe(4); // the version of task.deleted
    expect(await store.delete("tenant-a", task.id)).toBeUndefined();
    expect(await store.update("tenant-a", task.id, { title: "x" })).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(await events()).toEqual([
      ["task.created", task.id, 1],
      ["task.updated", task.id, 2],
      ["task.completed", task.id, 3],
      ["task.deleted", task.id, 4],
    ]);
  });

  test("tenants never reach each other's tasks", async () => {
    const task = newTask("tenant-a", "Mine");
    await store.create("tenant-a", task);
    expect(await store.get("tenant-b", task.id)).toBeUndefined();
    expect((await store.update("tenant-b", task.id, { title: "x" })).ok).toBe(false);
    expect((await store.complete("tenant-b", task.id)).ok).toBe(false);
    expect(await store.delete("tenant-b", task.id)).toBeUndefined();
    expect((await store.list("tenant-b", { limit: 10 })).tasks).toEqual([]);
    expect((await store.list("tenant-a", { limit: 10 })).tasks).toEqual([task]);
  });

  test("an idempotency key replays the first answer and refuses another body", async () => {
    const key = { key: "k", hash: "h1" };
    const first = await store.create("tenant-a", newTask("tenant-a", "Once"), key);
    const again = await store.create("tenant-a", newTask("tenant-a", "Once"), key);
    expect(again).toEqual({ ...first, replayed: true } as typeof again);
    expect(
      await store.create("tenant-a", newTask("tenant-a", "x"), { key: "k", hash: "h2" }),
    ).toEqual({
      ok: false,
      reason: "key_reused",
    });
    expect(await events()).toHaveLength(1);
  });

  test("concurrent changes of one task get consecutive versions and events in that order", async () => {
    const task = newTask("tenant-a", "Race");
    await store.create("tenant-a", task);
    await Promise.all(
      Array.from({ length: 8 }, () => store.update("tenant-a", task.id, { title: "again" })),
    );
    const versions = (await events()).map((event) => event[2]);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("lists the tenants that have tasks, in pages, for reconciliation", async () => {
    for (const tenant of ["tenant-c", "tenant-a", "tenant-b"])
      await store.create(tenant, newTask(tenant, "x"));
    await store.create("tenant-a", newTask("tenant-a", "y"));
    expect(await store.tenants(undefined, 2)).toEqual(["tenant-a", "tenant-b"]);
    expect(await store.tenants("tenant-b", 2)).toEqual(["tenant-c"]);
  });

  test("republish writes each existing task's current state at its current version; unknown and other tenants' ids are not found", async () => {
    const task = newTask("tenant-a", "Plan");
    const other = newTask("tenant-b", "Theirs");
    await store.create("tenant-a", task);
    await store.create("tenant-b", other);
    await store.update("tenant-a", task.id, { title: "Plan!" });
    const found = await store.republish("tenant-a", [task.id, "no-such-task", other.id]);
    expect(found).toEqual([task.id]);
    expect((await events()).slice(-1)).toEqual([["task.updated", task.id, 2]]);
  });

  test("probeWrite succeeds on a working store", async () => {
    await expect(store.probeWrite()).resolves.toBeUndefined();
  });

  test("erasing a tenant removes its tasks, keys and unsent events, sends nothing itself, and answers its record", async () => {
    await store.create("tenant-a", newTask("tenant-a", "Gone"), { key: "k", hash: "h" });
    const kept = newTask("tenant-b", "Kept");
    await store.create("tenant-b", kept);
    const record = await store.eraseTenant("tenant-a", "op-1");
    expect(record).toMatchObject({
      tenantId: "tenant-a",
      requestedBy: "op-1",
      counts: { tasks: 1, idempotency: 1, outbox: 1 },
      provisionedAt: null,
    });
    expect((await store.list("tenant-a", { limit: 10 })).tasks).toEqual([]);
    expect((await store.list("tenant-b", { limit: 10 })).tasks).toEqual([kept]);
    // user-service sends tenant.deleted; task-service's outbox keeps only the other tenant's.
    expect(await events()).toEqual([["task.created", kept.id, 1]]);
    expect(await store.isErased("tenant-a")).toBe(true);
    expect(await store.erasure("tenant-a")).toEqual(record);
    await store.provisionTenant("tenant-a");
    expect(await store.isErased("tenant-a")).toBe(false);
  });
}

describe("SQLite task store", () => {
  taskStoreContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), "task-store-"));
    const store = new SqliteTaskStore(join(dir, "task-service.sqlite"));
    return {
      store,
      close: async () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

await describePostgres("Postgres task store", (url) => {
  taskStoreContract(async () => {
    const db = await freshDatabase(url, "tasks");
    const store = await PostgresTaskStore.open({ url: db.url, poolMax: 4 });
    const close = async () => {
      await store.close();
      await db.drop();
    };
    return { store, close };
  });

  test("user-service and task-service share one server, each in its own database, each relaying only its own events", async () => {
    const usersDb = await freshDatabase(url, "users");
    const tasksDb = await freshDatabase(url, "tasks");
    const users = await PostgresUserStore.open({ url: usersDb.url, poolMax: 2 });
    const tasks = await PostgresTaskStore.open({ url: tasksDb.url, poolMax: 2 });
    try {
      await users.create("tenant-a", { email: "a@a.dev", name: "A" });
      await tasks.create("tenant-a", newTask("tenant-a", "T"));
      const types = async (store: { outbox: { peek(n: number): Promise<{ event: string }[]> } }) =>
        (await store.outbox.peek(100)).map(
          (row) => (JSON.parse(row.event) as { type: string }).type,
        );
      expect(await types(users)).toEqual(["user.created"]);
      expect(await types(tasks)).toEqual(["task.created"]);
      // Each relay holds every shard of its own outbox: the advisory locks are per database.
      expect(users.outbox.shardsHeld()).toBe(32);
      expect(tasks.outbox.shardsHeld()).toBe(32);
    } finally {
      await users.close();
      await tasks.close();
      await usersDb.drop();
      await tasksDb.drop();
    }
  });

  test("refuses to start on user-service's database, naming the fix", async () => {
    const db = await freshDatabase(url, "shared");
    const users = await PostgresUserStore.open({ url: db.url, poolMax: 1 });
    try {
      await expect(PostgresTaskStore.open({ url: db.url, poolMax: 1 })).rejects.toThrow(
        "give task-service a database of its own",
      );
    } finally {
      await users.close();
      await db.drop();
    }
  });
});
