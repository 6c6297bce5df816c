import { describe, expect, test } from "bun:test";
import { makeEvent, toStructured } from "@event-mesh/contracts";
import { encodeConsistencyToken, readError } from "@event-mesh/service-kit";
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
  encodeConsistencyToken({
    tenantId: "tenant-a",
    collection: "users",
    entityId: ID,
    version: 1,
    deleted: false,
    ...over,
  });

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
});
