import { afterAll, expect, test } from "bun:test";
import {
  createLogger,
  onError,
  type SnapshotSource,
  snapshotRoutes,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { userPoint } from "../../test/store-contract.ts";
import { openDatabase } from "../db.ts";
import { createGatewayMetrics } from "../metrics.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { reconcileTargets } from "./plan.ts";
import { Reconciler } from "./reconciler.ts";
import { SourceClient } from "./source-client.ts";

const TOKEN = "operator-token-0123456789-abcdefghij";
const logger = createLogger({ name: "test", level: "silent" });

/** A producer over HTTP (service-kit's snapshotRoutes) holding `tenants` × `perTenant` users at version 1. */
function fakeProducer(tenants: string[], perTenant: number) {
  const ids = Array.from({ length: perTenant }, (_, i) => String(i + 1)).sort();
  const republished: string[] = [];
  const source: SnapshotSource = {
    async snapshot(tenant, after, limit) {
      if (!tenants.includes(tenant)) return { entities: [], next: null };
      const page = ids.filter((id) => id > (after ?? "")).slice(0, limit);
      const more = page.length === limit && page.at(-1) !== ids.at(-1);
      return {
        entities: page.map((id) => ({ id, version: 1 })),
        next: more ? (page.at(-1) ?? null) : null,
      };
    },
    async tenants() {
      return { tenants, next: null };
    },
    async republish(tenant, list) {
      republished.push(...list.map((id) => `${tenant}/${id}`));
      return { republished: [...list], missing: [] };
    },
  };
  // Mounted as a producer mounts it: in its app, whose onError renders the 4xx.
  const app = new Hono();
  app.onError(onError(logger));
  app.route("/", snapshotRoutes({ source, auth: { token: TOKEN }, logger }));
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
  return { url: `http://127.0.0.1:${server.port}`, republished, stop: () => server.stop(true) };
}

const stops: (() => void)[] = [];
afterAll(() => {
  for (const stop of stops) stop();
});

async function setUp(maxEntities: number) {
  const producer = fakeProducer(["t-1", "t-2", "t-3"], 5);
  stops.push(producer.stop);
  const store = new SqliteVecStore(openDatabase(":memory:"));
  await store.init(384);
  const metrics = createGatewayMetrics(new Registry());
  const reconciler = new Reconciler({
    store,
    targets: reconcileTargets(),
    sources: new Map([["user-service", new SourceClient("user-service", producer.url, TOKEN)]]),
    maxEntities,
    pageSize: 2,
    drift: metrics.drift,
    logger,
  });
  return { producer, store, reconciler };
}

test("stops at RECONCILE_MAX_ENTITIES and says the run is incomplete", async () => {
  const { reconciler } = await setUp(12);
  const report = await reconciler.run({ by: "test", repair: false });
  expect(report.complete).toBe(false);
  // Two tenants of 5 fit in 12; the third would pass the bound.
  expect(report.collections.users?.tenants).toBe(2);
  expect(report.collections.users?.missing.count).toBe(10);
});

test("collections without a producer URL are skipped with the reason, not reported clean", async () => {
  const { reconciler } = await setUp(100);
  const report = await reconciler.run({ by: "test", repair: false });
  expect(report.skipped).toContainEqual({
    collection: "tasks",
    reason: expect.stringContaining("no source URL for"),
  });
});

test("one run at a time: a second one while the first runs is refused", async () => {
  const { reconciler } = await setUp(100);
  const first = reconciler.run({ by: "test", repair: false });
  expect(reconciler.running).toBe(true);
  await expect(reconciler.run({ by: "test", repair: false })).rejects.toThrow("busy");
  await first;
  expect(reconciler.running).toBe(false);
});

test("repair asks the source for missing, stale and ahead entities, and deletes orphans itself", async () => {
  const { reconciler, store, producer } = await setUp(100);
  await store.write("users", {
    upserts: [
      userPoint("t-1", 1, "Stale", 0),
      userPoint("t-1", 2, "Ahead", 7),
      userPoint("t-1", 99, "Orphan", 3),
    ],
    deletes: [],
  });
  const report = await reconciler.run({ by: "test", tenant: "t-1", repair: true });
  expect(report.collections.users?.repaired).toEqual({ republished: 5, deleted: 1, purged: 4 });
  expect(producer.republished.sort()).toEqual(["t-1/1", "t-1/2", "t-1/3", "t-1/4", "t-1/5"]);
  const left = await store.listVersions("users", "t-1", null, 10);
  // The orphan is gone; the forged version 7 is purged so the source's version 1 can land.
  expect(left.entries).toEqual([{ entityId: "1", version: 0 }]);
});

test("the snapshot endpoint refuses a bad tenant or limit, naming the field", async () => {
  const producer = fakeProducer(["t-1"], 1);
  stops.push(producer.stop);
  const headers = { authorization: `Bearer ${TOKEN}` };
  const bad = await fetch(`${producer.url}/admin/snapshot?tenant=Bad_Tenant&limit=0`, { headers });
  expect(bad.status).toBe(400);
  const text = await bad.text();
  expect(text).toContain("tenant");
  expect(text).toContain("limit");
  const body = JSON.stringify({ tenant: "t-1", ids: Array(1001).fill("x") });
  const tooMany = await fetch(`${producer.url}/admin/republish`, { method: "POST", headers, body });
  expect(tooMany.status).toBe(400);
  expect(await tooMany.text()).toContain("ids");
});
