/**
 * The behaviour every UserStore adapter shares, as one suite: store.test.ts runs it against
 * SQLite and against Postgres. Not a test file itself (no `.test.`), so it runs only there.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { outboxSummary } from "@event-mesh/outbox-kit";
import type { CreateResult, User, UserStore } from "./index.ts";

/** Opens a fresh, empty store; `close` ends it and removes its data. */
export type OpenStore = () => Promise<{ store: UserStore; close: () => Promise<void> }>;

const userOf = (result: CreateResult): User => {
  if (!result.ok) throw new Error(`create failed: ${result.reason}`);
  return result.body as User;
};

/** Registers the shared store tests (call inside a describe). */
export function storeContract(open: OpenStore): void {
  let store: UserStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  const create = async (tenant: string, email: string, name = "N") =>
    userOf(await store.create(tenant, { email, name }));

  /** The events waiting in the outbox, oldest first, as [type, entity id, version]. */
  const events = () => outboxSummary(store.outbox);

  test("creates, reads, updates and deletes, each with its event in the outbox, in order", async () => {
    const user = await create("tenant-a", "alice@a.dev", "Alice");
    expect(user).toMatchObject({ tenantId: "tenant-a", email: "alice@a.dev", version: 1 });
    expect(await store.get("tenant-a", user.id)).toEqual(user);
    const updated = await store.update("tenant-a", user.id, { name: "Alice B" });
    expect(updated).toMatchObject({ ok: true, user: { name: "Alice B", version: 2 } });
    // The delete answers its event's version (the consistency token of DELETE carries it).
    expect(await store.delete("tenant-a", user.id)).toBe(3);
    expect(await store.get("tenant-a", user.id)).toBeUndefined();
    expect(await store.delete("tenant-a", user.id)).toBeUndefined();
    expect(await events()).toEqual([
      ["user.created", user.id, 1],
      ["user.updated", user.id, 2],
      ["user.deleted", user.id, 3],
    ]);
    expect((await store.outbox.depth()).count).toBe(3);
    await store.outbox.remove(await store.outbox.peek(1000));
    expect(await store.outbox.depth()).toEqual({ count: 0, oldestAt: undefined });
  });

  test("e-mail is unique per tenant case-insensitively; a refused write leaves no event", async () => {
    await create("tenant-a", "Alice@A.dev");
    expect(await store.create("tenant-a", { email: "alice@a.DEV", name: "X" })).toEqual({
      ok: false,
      reason: "email_taken",
    });
    // Another tenant may use the same address.
    await create("tenant-b", "alice@a.dev");
    const bob = await create("tenant-a", "bob@a.dev");
    expect(await store.update("tenant-a", bob.id, { email: "ALICE@a.dev" })).toEqual({
      ok: false,
      reason: "email_taken",
    });
    expect((await store.outbox.depth()).count).toBe(3);
    expect((await store.get("tenant-a", bob.id))?.version).toBe(1);
  });

  test("a deleted user's e-mail can be used again", async () => {
    const user = await create("tenant-a", "reuse@a.dev");
    await store.delete("tenant-a", user.id);
    expect((await create("tenant-a", "REUSE@a.dev")).email).toBe("REUSE@a.dev");
  });

  test("tenants never see each other's users", async () => {
    const user = await create("tenant-a", "a@a.dev");
    expect(await store.get("tenant-b", user.id)).toBeUndefined();
    expect(await store.update("tenant-b", user.id, { name: "X" })).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(await store.delete("tenant-b", user.id)).toBeUndefined();
    expect((await store.list("tenant-b", { limit: 10 })).users).toEqual([]);
  });

  test("pages through a tenant's users oldest first with a stable cursor", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await create("tenant-a", `p${i}@a.dev`)).id);
    await create("tenant-b", "other@b.dev");
    const first = await store.list("tenant-a", { limit: 2 });
    expect(first.users.map((u) => u.id)).toEqual(made.slice(0, 2));
    const second = await store.list("tenant-a", { limit: 2, after: first.lastId });
    expect(second.users.map((u) => u.id)).toEqual(made.slice(2, 4));
    const last = await store.list("tenant-a", { limit: 2, after: second.lastId });
    expect(last.users.map((u) => u.id)).toEqual(made.slice(4));
    expect(last.lastId).toBeUndefined();
  });

  test("an idempotency key replays the first answer and refuses another body", async () => {
    const key = { key: "k-1", hash: "h-1" };
    const first = await store.create("tenant-a", { email: "i@a.dev", name: "I" }, key);
    const again = await store.create("tenant-a", { email: "i@a.dev", name: "I" }, key);
    expect(again).toEqual({ ...first, replayed: true } as CreateResult);
    expect(
      await store.create("tenant-a", { email: "j@a.dev", name: "J" }, { key: "k-1", hash: "h-2" }),
    ).toEqual({ ok: false, reason: "key_reused" });
    // Keys are per tenant.
    expect((await store.create("tenant-b", { email: "i@a.dev", name: "I" }, key)).ok).toBe(true);
    expect((await store.outbox.depth()).count).toBe(2);
  });

  test("concurrent creates with one idempotency key create one user", async () => {
    const key = { key: "race", hash: "h" };
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.create("tenant-a", { email: "race@a.dev", name: "R" }, key),
      ),
    );
    const ids = new Set(results.map((result) => (userOf(result) as User).id));
    expect(ids.size).toBe(1);
    expect((await store.outbox.depth()).count).toBe(1);
  });

  test("concurrent creates: one per taken e-mail wins, the others are refused, the rest stored", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.create("tenant-a", { email: i % 2 ? `same@a.dev` : `own${i}@a.dev`, name: "C" }),
      ),
    );
    expect(results.filter((result) => result.ok).length).toBe(11);
    expect(results.filter((result) => !result.ok)).toEqual(
      Array.from({ length: 9 }, () => ({ ok: false, reason: "email_taken" })),
    );
    expect((await store.list("tenant-a", { limit: 100 })).users.length).toBe(11);
    expect((await store.outbox.depth()).count).toBe(11);
  });

  test("concurrent changes of one user get consecutive versions and events in that order", async () => {
    const user = await create("tenant-a", "c@a.dev");
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.update("tenant-a", user.id, { name: `n${i}` })),
    );
    expect((await store.get("tenant-a", user.id))?.version).toBe(11);
    expect((await events()).map((event) => event[2])).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  test("provisions a tenant once, with its tenant.created event; a second time is refused", async () => {
    const first = await store.createTenant("tenant-x", "X Corp");
    expect(first).toMatchObject({ ok: true, tenant: { tenantId: "tenant-x", name: "X Corp" } });
    expect(await store.createTenant("tenant-x", "Other")).toEqual({ ok: false });
    expect((await events()).map(([type, , version]) => [type, version])).toEqual([
      ["tenant.created", 1],
    ]);
  });

  test("probeWrite succeeds on a working store", async () => {
    await expect(store.probeWrite()).resolves.toBeUndefined();
  });

  test("erasing a tenant removes its users, keys and unsent events, then writes tenant.deleted; others keep theirs", async () => {
    await store.createTenant("tenant-x", "X Corp");
    const key = { key: "k-1", hash: "h" };
    const gone = userOf(await store.create("tenant-x", { email: "x@x.dev", name: "X" }, key));
    const kept = await create("tenant-y", "y@y.dev");
    const record = await store.eraseTenant("tenant-x", "op-1");
    expect(record).toMatchObject({
      tenantId: "tenant-x",
      requestedBy: "op-1",
      state: "done",
      counts: { users: 1, tenants: 1, idempotency: 1, outbox: 2 },
      provisionedAt: null,
    });
    expect(await store.get("tenant-x", gone.id)).toBeUndefined();
    expect(await store.get("tenant-y", kept.id)).toEqual(kept);
    const waiting = (await store.outbox.peek(1000)).map((row) => {
      const event = JSON.parse(row.event) as { type: string; tenantid: string };
      return [event.type, event.tenantid];
    });
    // The erase event is the tenant's only row left, after the other tenant's.
    expect(waiting).toEqual([
      ["user.created", "tenant-y"],
      ["tenant.deleted", "tenant-x"],
    ]);
    expect(await store.isErased("tenant-x")).toBe(true);
    expect(await store.isErased("tenant-y")).toBe(false);
    // Provisioned again, the same key creates anew: its remembered answer went with the tenant.
    expect(await store.createTenant("tenant-x", "X again")).toMatchObject({ ok: true });
    expect(await store.create("tenant-x", { email: "x@x.dev", name: "X" }, key)).toMatchObject({
      ok: true,
      replayed: false,
    });
  });

  test("a repeated erase is idempotent and keeps the first request; provisioning lifts it", async () => {
    await create("tenant-x", "x@x.dev");
    const first = await store.eraseTenant("tenant-x", "op-1");
    const again = await store.eraseTenant("tenant-x", "op-2");
    expect(again).toMatchObject({
      requestedBy: "op-1",
      requestedAt: first.requestedAt,
      counts: { users: 1, tenants: 0, idempotency: 0, outbox: 1 },
    });
    expect(await store.erasure("tenant-x")).toEqual(again);
    expect(await store.erasure("tenant-never")).toBeUndefined();
    expect(await store.createTenant("tenant-x", "X again")).toMatchObject({ ok: true });
    expect(await store.isErased("tenant-x")).toBe(false);
    expect((await store.erasure("tenant-x"))?.provisionedAt).toEqual(expect.any(String));
  });
}
