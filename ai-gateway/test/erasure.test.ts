import { afterEach, describe, expect, test } from "bun:test";
import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import { createLogger } from "@event-mesh/service-kit";
import { openDatabase } from "../src/db.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { TenantEraser } from "../src/erasure/eraser.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";
import { OPERATOR_TOKEN } from "./app-fixture.ts";
import { CountingEmbedder, scratch, servedGateway } from "./served-gateway.ts";

const { stops, dataDir, clear } = scratch("erasure-");
afterEach(clear);

const source = "urn:test";
const user = (tenantId: string, id: number, name: string, version = 1) =>
  makeEvent(version === 1 ? "user.created" : "user.updated", {
    tenantId,
    source,
    version,
    data: { id, name, email: `${name.toLowerCase()}@${tenantId}.dev`, tenantId },
  });
const userDeleted = (tenantId: string, id: number, version: number) =>
  makeEvent("user.deleted", { tenantId, source, version, data: { id, tenantId } });
const task = (tenantId: string, id: string, title: string) =>
  makeEvent("task.created", {
    tenantId,
    source,
    data: { id, tenantId, title, description: "", status: "open" },
  });
const tenantDeleted = (tenantId: string) =>
  makeEvent("tenant.deleted", { tenantId, source, version: 2, data: { tenantId } });
const tenantCreated = (tenantId: string) =>
  makeEvent("tenant.created", { tenantId, source, version: 3, data: { tenantId, name: "Again" } });

async function gateway(dir = dataDir()) {
  // Wrapped: the bare hashing embedder is cheaper than the cache and so never fills it.
  const embedder = new CountingEmbedder(new HashingEmbedder(384));
  const gw = await servedGateway({ dataDir: dir, embedder });
  stops.push(() => gw.stop());
  const post = async (events: AnyMeshEvent[]) => expect((await gw.post(events)).status).toBe(200);
  const hits = async (tenantId: string, q: string, type = "users") => {
    const response = await gw.get(`/search?q=${encodeURIComponent(q)}&type=${type}`, tenantId);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { hits: { id: string }[] };
    return body.hits.map((hit) => hit.id);
  };
  /** Rows of `table` of the tenant, by its tenant_id column. */
  const rows = (table: string, tenantId: string) =>
    gw.db
      .query<{ n: number }, [string]>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`)
      .get(tenantId)?.n;
  return { ...gw, post, hits, rows };
}

describe("tenant.deleted over the HTTP ingest", () => {
  test("erases the tenant's points, tombstones, cache entries, dead letters and usage; another tenant keeps all of its own", async () => {
    const gw = await gateway();
    await gw.post([
      user("tenant-a", 1, "Ada"),
      user("tenant-a", 2, "Bea"),
      task("tenant-a", "t-1", "Ship the Ada report"),
      user("tenant-b", 1, "Ada"),
    ]);
    await gw.post([userDeleted("tenant-a", 2, 2)]);
    // A letter the gateway could not use, with the tenant's data in it.
    const bad = { ...user("tenant-a", 3, "Cy"), data: { id: 3, tenantId: "tenant-a" } };
    await gw.post([bad as AnyMeshEvent]);
    expect(gw.rows("dead_letters", "tenant-a")).toBe(1);
    // Bea's entry went with her delete (subject erasure): Ada's and the task's are left.
    expect(gw.rows("embedding_cache", "tenant-a")).toBe(2);
    expect(await gw.hits("tenant-a", "Ada")).toContain("1");

    await gw.post([tenantDeleted("tenant-a")]);
    expect(gw.rows("usage_totals", "tenant-a")).toBe(0);

    expect(await gw.hits("tenant-a", "Ada")).toEqual([]);
    // Answered, with nothing, and not metered: no usage row brings the tenant back.
    expect(gw.rows("usage_totals", "tenant-a")).toBe(0);
    expect(await gw.hits("tenant-a", "Ship the Ada report", "tasks")).toEqual([]);
    for (const table of ["points_users", "points_tasks", "tenant_codes_users", "embedding_cache"])
      expect({ table, rows: gw.rows(table, "tenant-a") }).toEqual({ table, rows: 0 });
    expect(gw.rows("dead_letters", "tenant-a")).toBe(0);
    // tenant-b: its point, its cache entry, its usage.
    expect(await gw.hits("tenant-b", "Ada")).toEqual(["1"]);
    expect(gw.rows("embedding_cache", "tenant-b")).toBe(1);
    expect(gw.rows("usage_totals", "tenant-b")).toBe(2); // embeddings and searches

    const record = await fetch(`${gw.url}/admin/erasures/tenant-a`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({
      tenantId: "tenant-a",
      state: "done",
      pending: [],
      counts: { "vectors.users": 2, "vectors.tasks": 1, cache: 2, dead_letters: 1 },
    });
  });

  test("a late write of the erased tenant is dropped until tenant.created provisions it again", async () => {
    const gw = await gateway();
    await gw.post([user("tenant-a", 1, "Ada")]);
    await gw.post([tenantDeleted("tenant-a")]);
    await gw.post([user("tenant-a", 1, "Ada", 2)]);
    expect(await gw.hits("tenant-a", "Ada")).toEqual([]);
    await gw.post([tenantCreated("tenant-a"), user("tenant-a", 4, "Dee")]);
    expect(await gw.hits("tenant-a", "Dee")).toEqual(["4"]);
  });

  test("GET /admin/erasures is for operators: 401 without a token, 403 for a tenant's, 404 never erased", async () => {
    const gw = await gateway();
    expect((await fetch(`${gw.url}/admin/erasures/tenant-a`)).status).toBe(401);
    expect((await gw.get("/admin/erasures/tenant-a", "tenant-a")).status).toBe(403);
    const never = await fetch(`${gw.url}/admin/erasures/tenant-z`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(never.status).toBe(404);
    expect(((await never.json()) as { details: unknown }).details).toEqual({ sharedStore: false });
    const bad = await fetch(`${gw.url}/admin/erasures/Not_A_Tenant`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(bad.status).toBe(400);
  });
});

test("with a shared store, a replica that never erased says so: another one may have", async () => {
  const gw = await servedGateway({ sharedStore: true });
  stops.push(() => gw.stop());
  const never = await fetch(`${gw.url}/admin/erasures/tenant-z`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  expect(never.status).toBe(404);
  expect(((await never.json()) as { details: unknown }).details).toEqual({ sharedStore: true });
});

describe("subject erasure", () => {
  test("a user's delete removes the cache entries of every text it had and its dead letters, not another user's", async () => {
    const gw = await gateway();
    await gw.post([user("tenant-a", 1, "Ada"), user("tenant-a", 2, "Bea")]);
    await gw.post([user("tenant-a", 1, "Adeline", 2)]);
    const bad = { ...user("tenant-a", 1, "Ada"), data: { id: 1, tenantId: "tenant-a" } };
    await gw.post([bad as AnyMeshEvent]);
    const entity = (id: string) =>
      gw.db
        .query<{ n: number }, [string]>(
          "SELECT count(*) AS n FROM embedding_cache WHERE tenant_id = 'tenant-a' AND entity = ?",
        )
        .get(`users/${id}`)?.n;
    expect(entity("1")).toBe(2);
    await gw.post([userDeleted("tenant-a", 1, 3)]);
    expect(entity("1")).toBe(0);
    expect(entity("2")).toBe(1);
    expect(gw.rows("dead_letters", "tenant-a")).toBe(0);
  });
});

describe("an erase interrupted mid-way", () => {
  test("is recorded as running with what it did, and finishes after a restart", async () => {
    const dir = dataDir();
    const gw = await gateway(dir);
    await gw.post([user("tenant-a", 1, "Ada"), task("tenant-a", "t-1", "Ship")]);
    gw.stop();
    stops.length = 0;

    const logger = createLogger({ name: "test", level: "silent" });
    const open = async (failOn?: string) => {
      const db = openDatabase(dir);
      const store = new SqliteVecStore(db);
      await store.init(384);
      // The store as it is, but its erase of `failOn` dies (a kill between two steps).
      const failing = new Proxy(store, {
        get(target, property) {
          if (property === "eraseTenant")
            return async (collection: string, tenantId: string) => {
              if (collection === failOn) throw new Error("killed");
              return target.eraseTenant(collection, tenantId);
            };
          const value = Reflect.get(target, property);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const collections = ["users", "tasks"];
      return { db, eraser: new TenantEraser({ db, store: failing, collections, logger }) };
    };
    const first = await open("tasks");
    await expect(first.eraser.eraseTenant("tenant-a", "op")).rejects.toThrow("killed");
    expect(first.eraser.status("tenant-a")).toMatchObject({
      state: "running",
      counts: { "vectors.users": 1 },
      pending: ["vectors.tasks", "cache", "dead_letters", "waiters", "usage_and_tenant"],
    });
    first.db.close();

    const second = await open();
    expect(second.eraser.isErased("tenant-a")).toBe(true);
    await second.eraser.resume();
    expect(second.eraser.status("tenant-a")).toMatchObject({
      state: "done",
      requestedBy: "op",
      counts: { "vectors.users": 1, "vectors.tasks": 1 },
      pending: [],
    });
    const left = second.db
      .query<{ n: number }, []>(
        "SELECT count(*) AS n FROM points_tasks WHERE tenant_id = 'tenant-a'",
      )
      .get();
    expect(left?.n).toBe(0);
    second.db.close();
  });
});
