import { describe, expect, test } from "bun:test";
import type { Collection, StoredVersion } from "../vectors/index.ts";
import { type FreshnessTarget, FreshnessWaiters, reached } from "./waiters.ts";

/** A store whose versions the test sets; counts the `versions` queries it answers. */
function fakeStore() {
  const held = new Map<string, StoredVersion>();
  const calls: { tenantId: string; ids: readonly string[] }[] = [];
  return {
    held,
    calls,
    async versions(_c: Collection, tenantId: string, ids: readonly string[]) {
      calls.push({ tenantId, ids });
      const out = new Map<string, StoredVersion>();
      for (const id of ids) {
        const v = held.get(`${tenantId}/${id}`);
        if (v) out.set(id, v);
      }
      return out;
    },
  };
}

const target = (entityId: string, version = 1, tenantId = "tenant-a"): FreshnessTarget => ({
  collection: "users",
  tenantId,
  entityId,
  version,
  deleted: false,
});

describe("FreshnessWaiters", () => {
  test("an already stored version answers at once", async () => {
    const store = fakeStore();
    store.held.set("tenant-a/u1", { version: 2, deleted: false });
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 60_000, recheckMs: 60_000 });
    expect(await waiters.wait(target("u1", 2))).toBe(true);
    expect(waiters.size).toBe(0);
  });

  test("a waiter is woken by notify once its version is stored", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 60_000, recheckMs: 60_000 });
    const waiting = waiters.wait(target("u1"));
    await Bun.sleep(0);
    expect(waiters.size).toBe(1);
    store.held.set("tenant-a/u1", { version: 1, deleted: false });
    waiters.notify();
    expect(await waiting).toBe(true);
  });

  test("a batch this replica stored answers its entities' waiters from memory, with no query", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 60_000, recheckMs: 60_000 });
    const u1 = waiters.wait(target("u1", 2));
    const u2 = waiters.wait(target("u2", 5));
    const other = waiters.wait(target("u1", 2, "tenant-b"));
    await Bun.sleep(0);
    const queries = store.calls.length;
    // u1 at version 3 (a later one reaches a wait for 2), u2 at 4 (not yet the 5 it waits for).
    waiters.stored([
      { collection: "users", tenantId: "tenant-a", entityId: "u1", version: 3 },
      { collection: "users", tenantId: "tenant-a", entityId: "u2", version: 4 },
    ]);
    expect(await u1).toBe(true);
    expect(store.calls.length).toBe(queries);
    expect(waiters.size).toBe(2);
    waiters.stored([{ collection: "users", tenantId: "tenant-a", entityId: "u2", version: 5 }]);
    expect(await u2).toBe(true);
    // Another tenant's entity of the same id is not this one.
    expect(waiters.size).toBe(1);
    waiters.close();
    expect(await other).toBe(false);
  });

  test("without notify (another replica stored it) the shared re-check finds it", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 60_000, recheckMs: 5 });
    const waiting = waiters.wait(target("u1"));
    await Bun.sleep(20);
    store.held.set("tenant-a/u1", { version: 1, deleted: false });
    expect(await waiting).toBe(true);
  });

  test("past the bound it answers false, and an older stored version never satisfies", async () => {
    const store = fakeStore();
    store.held.set("tenant-a/u1", { version: 1, deleted: false });
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 30, recheckMs: 5 });
    expect(await waiters.wait(target("u1", 2))).toBe(false);
    expect(waiters.size).toBe(0);
  });

  test("many waiters of one tenant are checked in one query, not one per request", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, { maxWaitMs: 60_000, recheckMs: 60_000 });
    const all = Array.from({ length: 50 }, (_, i) => waiters.wait(target(`u${i}`)));
    await Bun.sleep(0);
    for (let i = 0; i < 50; i++) store.held.set(`tenant-a/u${i}`, { version: 1, deleted: false });
    const before = store.calls.length;
    waiters.notify();
    expect(await Promise.all(all)).toEqual(all.map(() => true));
    // The arrivals' checks coalesce too: far fewer queries than the 50 waiters.
    expect(before).toBeLessThan(5);
    expect(store.calls.length - before).toBe(1);
    expect(store.calls.at(-1)?.ids).toHaveLength(50);
  });

  test("a delete is satisfied by its tombstone, a later version, or an absent entity", () => {
    const gone = { ...target("u1", 3), deleted: true };
    expect(reached(gone, undefined)).toBe(true);
    expect(reached(gone, { version: 3, deleted: true })).toBe(true);
    expect(reached(gone, { version: 2, deleted: false })).toBe(false);
    expect(reached(target("u1", 1), undefined)).toBe(false);
    expect(reached(target("u1", 1), { version: 2, deleted: true })).toBe(true);
  });

  test("an aborted request stops waiting and leaves nothing pending", async () => {
    const waiters = new FreshnessWaiters(fakeStore(), { maxWaitMs: 60_000, recheckMs: 60_000 });
    const controller = new AbortController();
    const waiting = waiters.wait(target("u1"), controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(waiters.size).toBe(0);
  });

  test("a failing store is reported and the waiter still ends at its bound", async () => {
    const errors: unknown[] = [];
    const store = {
      versions: async () => {
        throw new Error("store down");
      },
    };
    const waiters = new FreshnessWaiters(store, {
      maxWaitMs: 30,
      recheckMs: 5,
      onError: (error) => errors.push(error),
    });
    expect(await waiters.wait(target("u1"))).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
  });

  test("a new waiter costs a check of itself only, not a re-check of every waiter pending", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, {
      maxWaitMs: 60_000,
      recheckMs: 60_000,
      maxPerTenant: 10_000,
      maxTotal: 10_000,
    });
    const first = Array.from({ length: 1000 }, (_, i) => waiters.wait(target(`u${i}`)));
    await Bun.sleep(1);
    const before = store.calls.length;
    const late = waiters.wait(target("late"));
    await Bun.sleep(1);
    const asked = store.calls.slice(before).flatMap((call) => call.ids);
    expect(asked).toEqual(["late"]);
    waiters.close();
    await Promise.all([...first, late]);
  });

  test("caps how many may wait per tenant and per replica; a settled waiter frees its place", async () => {
    const store = fakeStore();
    const waiters = new FreshnessWaiters(store, {
      maxWaitMs: 60_000,
      recheckMs: 60_000,
      maxPerTenant: 2,
      maxTotal: 3,
    });
    expect(waiters.refusal("tenant-a")).toBeNull();
    const a = [waiters.wait(target("a1")), waiters.wait(target("a2"))];
    expect(waiters.refusal("tenant-a")).toEqual({ limit: "SEARCH_WAITERS_PER_TENANT", max: 2 });
    expect(waiters.refusal("tenant-b")).toBeNull();
    const b = waiters.wait(target("b1", 1, "tenant-b"));
    expect(waiters.refusal("tenant-c")).toEqual({ limit: "SEARCH_WAITERS_MAX", max: 3 });
    store.held.set("tenant-a/a1", { version: 1, deleted: false });
    waiters.notify();
    expect(await a[0]).toBe(true);
    expect(waiters.refusal("tenant-a")).toBeNull();
    waiters.close();
    await Promise.all([a[1], b]);
  });
});
