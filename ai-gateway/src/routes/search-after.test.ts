import { describe, expect, test } from "bun:test";
import { makeEvent, toStructured } from "@event-mesh/contracts";
import { DEV_MESH_TOKEN_KEY, encodeConsistencyToken, readError } from "@event-mesh/service-kit";
import { testGateway } from "../../test/app-fixture.ts";

const BASE = "http://localhost";
const bearer = (tenant: string) => ({ authorization: `Bearer ${tenant}:user-1` });
const ID = "0193a6c1-7d2e-7000-8000-00000000000a";

const created = makeEvent("user.created", {
  tenantId: "tenant-a",
  source: "urn:test",
  version: 1,
  data: { id: ID, name: "Wanda Waits", email: "wanda@tenant-a.dev", tenantId: "tenant-a" },
});
const token = (over: Partial<Parameters<typeof encodeConsistencyToken>[0]> = {}) =>
  encodeConsistencyToken(
    {
      tenantId: "tenant-a",
      collection: "users",
      entityId: ID,
      version: 1,
      deleted: false,
      ...over,
    },
    [DEV_MESH_TOKEN_KEY],
  );

function ingest(app: Awaited<ReturnType<typeof testGateway>>["app"]) {
  return app.request(`${BASE}/events`, {
    method: "POST",
    headers: {
      authorization: "Bearer ingest-secret",
      "content-type": "application/cloudevents+json",
    },
    body: JSON.stringify(toStructured(created)),
  });
}

describe("search after a write (read-your-writes)", () => {
  test("a search with the token waits for the write, then finds it (GET after=, POST body)", async () => {
    const { app, freshness } = await testGateway();
    const search = app.request(`${BASE}/search?q=Wanda&after=${token()}`, {
      headers: bearer("tenant-a"),
    });
    // The search is parked until the pipeline stores the event; then it is woken, not polled.
    while (freshness.size === 0) await Bun.sleep(1);
    expect((await ingest(app)).status).toBe(200);
    const response = await search;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { hits: { id: string }[] };
    expect(body.hits.map((hit) => hit.id)).toEqual([ID]);

    const posted = await app.request(`${BASE}/search`, {
      method: "POST",
      headers: { ...bearer("tenant-a"), "content-type": "application/json" },
      body: JSON.stringify({ q: "Wanda", after: token() }),
    });
    expect(posted.status).toBe(200);
  });

  test("past SEARCH_WAIT_MAX_MS it is a 504 not_searchable_yet with Retry-After, never a stale answer", async () => {
    const { app } = await testGateway({ searchWaitMaxMs: 20 });
    const response = await app.request(`${BASE}/search?q=Wanda&after=${token()}`, {
      headers: bearer("tenant-a"),
    });
    expect(response.status).toBe(504);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("1");
    const problem = await readError(response);
    expect(problem.code).toBe("not_searchable_yet");
    expect(problem.details).toEqual({ collection: "users", entityId: ID, version: 1 });
  });

  test("a token of another tenant is a 403, before any waiting", async () => {
    const { app, freshness } = await testGateway();
    const response = await app.request(
      `${BASE}/search?q=Wanda&after=${token({ tenantId: "tenant-b" })}`,
      {
        headers: bearer("tenant-a"),
      },
    );
    expect(response.status).toBe(403);
    expect((await readError(response)).code).toBe("forbidden");
    expect(freshness.size).toBe(0);
  });

  test("text that is not a token is a 400 naming `after`", async () => {
    const { app } = await testGateway();
    for (const [query, headers, field] of [
      ["after=abc", {}, "after"],
      ["after=not%20a%20token", {}, "after"],
      [`after=${token({ collection: "orders" })}`, {}, "after"],
    ] as const) {
      const response = await app.request(`${BASE}/search?q=Wanda&${query}`, {
        headers: { ...bearer("tenant-a"), ...headers },
      });
      expect(response.status).toBe(400);
      const problem = await readError(response);
      expect(problem.code).toBe("invalid_input");
      expect(JSON.stringify(problem.details).toLowerCase()).toContain(field.toLowerCase());
    }
  });

  test("a delete's token is satisfied once the delete is stored", async () => {
    const { app } = await testGateway({ searchWaitMaxMs: 2_000 });
    expect((await ingest(app)).status).toBe(200);
    const deleted = makeEvent("user.deleted", {
      tenantId: "tenant-a",
      source: "urn:test",
      version: 2,
      data: { id: ID, tenantId: "tenant-a" },
    });
    await app.request(`${BASE}/events`, {
      method: "POST",
      headers: {
        authorization: "Bearer ingest-secret",
        "content-type": "application/cloudevents+json",
      },
      body: JSON.stringify(toStructured(deleted)),
    });
    const response = await app.request(
      `${BASE}/search?q=Wanda&after=${token({ version: 2, deleted: true })}`,
      { headers: bearer("tenant-a") },
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { hits: unknown[] }).hits).toEqual([]);
  });

  test("a forged or altered token is a 400 naming `after` at once, never a wait", async () => {
    const { app, freshness } = await testGateway({ searchWaitMaxMs: 60_000 });
    const forged = `m2.tenant-a.users.nosuch.999999999999999.0.${"A".repeat(22)}`;
    const altered = token().replace(".1.0.", ".2.0.");
    const foreign = encodeConsistencyToken(
      { tenantId: "tenant-a", collection: "users", entityId: ID, version: 1, deleted: false },
      ["a-key-this-mesh-does-not-hold-0123456789"],
    );
    for (const after of [forged, altered, foreign]) {
      const response = await app.request(`${BASE}/search?q=Wanda&after=${after}`, {
        headers: bearer("tenant-a"),
      });
      expect(response.status).toBe(400);
      const problem = await readError(response);
      expect(problem.details).toEqual([
        { path: "after", message: "is not signed by this mesh (forged or altered)" },
      ]);
      expect(freshness.size).toBe(0);
    }
  });

  test("the rate limit applies before any wait: over searchesPerSecond a token search is a 429 at once", async () => {
    const { app, freshness } = await testGateway({
      searchWaitMaxMs: 60_000,
      env: { TENANT_LIMITS: "*:searchesPerSecond=2" },
    });
    const waiting = [0, 1].map((i) =>
      app.request(`${BASE}/search?q=Wanda&after=${token({ entityId: `w${i}` })}`, {
        headers: bearer("tenant-a"),
      }),
    );
    while (freshness.size < 2) await Bun.sleep(1);
    const refused = await app.request(`${BASE}/search?q=Wanda&after=${token()}`, {
      headers: bearer("tenant-a"),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(freshness.size).toBe(2);
    freshness.close();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([504, 504]);
  });

  test("beyond SEARCH_WAITERS_PER_TENANT a token search is a 429 with Retry-After; other tenants still wait", async () => {
    const { app, freshness } = await testGateway({
      searchWaitMaxMs: 60_000,
      env: { SEARCH_WAITERS_PER_TENANT: "3" },
    });
    const search = (tenant: string, entityId: string) =>
      app.request(`${BASE}/search?q=Wanda&after=${token({ tenantId: tenant, entityId })}`, {
        headers: bearer(tenant),
      });
    const waiting = [search("tenant-a", "a1"), search("tenant-a", "a2"), search("tenant-a", "a3")];
    while (freshness.size < 3) await Bun.sleep(1);
    const refused = await search("tenant-a", "a4");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await readError(refused)).details).toMatchObject({
      limit: "SEARCH_WAITERS_PER_TENANT",
      max: 3,
    });
    const other = search("tenant-b", "b1");
    while (freshness.size < 4) await Bun.sleep(1);
    freshness.close();
    expect((await Promise.all([...waiting, other])).map((r) => r.status)).toEqual([
      504, 504, 504, 504,
    ]);
  });
});
