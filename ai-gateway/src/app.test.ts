import { describe, expect, test } from "bun:test";
import { type AnyMeshEvent, encodeHttpBatch, makeEvent, toStructured } from "@event-mesh/contracts";
import { readError } from "@event-mesh/service-kit";
import { testGateway } from "../test/app-fixture.ts";

const BASE = "http://localhost";
const source = "urn:test";

async function gateway(token: string | null = "ingest-secret") {
  return testGateway({ token });
}

const user = (tenantId: string, id: number, name: string) =>
  makeEvent("user.created", {
    tenantId,
    source,
    data: { id, name, email: `${id}@${tenantId}.dev`, tenantId },
  });

function postBatch(
  app: Awaited<ReturnType<typeof gateway>>["app"],
  events: unknown[],
  token = "ingest-secret",
) {
  return app.request(`${BASE}/events`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/cloudevents-batch+json",
    },
    body: JSON.stringify(events),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("search", () => {
  test("each tenant sees only its own users, whatever tenant the query names", async () => {
    const { app } = await gateway();
    const events: AnyMeshEvent[] = [
      user("tenant-a", 1, "Maria Lopez"),
      user("tenant-b", 1, "Maria Lopez"),
    ];
    expect(
      (
        await app.request(`${BASE}/events`, {
          method: "POST",
          headers: {
            ...bearer("ingest-secret"),
            "content-type": encodeHttpBatch(events).contentType,
          },
          body: encodeHttpBatch(events).body,
        })
      ).status,
    ).toBe(200);

    const a = await app.request(`${BASE}/search?q=Maria%20Lopez&tenantId=tenant-b`, {
      headers: bearer("tenant-a:user-1"),
    });
    expect(a.status).toBe(200);
    const bodyA = (await a.json()) as {
      hits: { id: string; type: string; data: { tenantId: string } }[];
      tookMs: number;
    };
    expect(bodyA.hits.map((hit) => [hit.id, hit.type, hit.data.tenantId])).toEqual([
      ["1", "users", "tenant-a"],
    ]);
    expect(typeof bodyA.tookMs).toBe("number");

    const b = await app.request(`${BASE}/search`, {
      method: "POST",
      headers: { ...bearer("tenant-b:user-1"), "content-type": "application/json" },
      body: JSON.stringify({ q: "Maria Lopez", tenantId: "tenant-a", limit: 5 }),
    });
    const bodyB = (await b.json()) as { hits: { data: { tenantId: string } }[] };
    expect(bodyB.hits.map((hit) => hit.data.tenantId)).toEqual(["tenant-b"]);

    const c = await app.request(`${BASE}/search?q=Maria`, { headers: bearer("tenant-c:user-1") });
    expect(((await c.json()) as { hits: unknown[] }).hits).toEqual([]);
  });

  test("finds a person despite a typo in the name", async () => {
    const { app } = await gateway();
    await postBatch(
      app,
      [user("tenant-a", 1, "Johanna Schmidt"), user("tenant-a", 2, "Peter Novak")].map(
        toStructured,
      ),
    );
    const response = await app.request(`${BASE}/search?q=Johana%20Schmidt&limit=1`, {
      headers: bearer("tenant-a:u"),
    });
    expect(
      ((await response.json()) as { hits: { id: string }[] }).hits.map((hit) => hit.id),
    ).toEqual(["1"]);
  });

  test("leaves out hits below the score floor: a typo finds Alice, not Bob", async () => {
    const { app } = await gateway();
    await postBatch(
      app,
      [user("tenant-a", 1, "Alice A"), user("tenant-a", 2, "Bob B")].map(toStructured),
    );
    const search = async (query: string) => {
      const response = await app.request(`${BASE}/search?${query}`, {
        headers: bearer("tenant-a:u"),
      });
      return ((await response.json()) as { hits: { id: string; score: number }[] }).hits;
    };
    const floored = await search("q=alise&mode=vector");
    expect(floored.map((hit) => hit.id)).toEqual(["1"]);
    // The request's own floor wins: -1 lets every hit through, best first.
    const all = await search("q=alise&mode=vector&minScore=-1");
    expect(all.map((hit) => hit.id)).toEqual(["1", "2"]);
    expect(all[1]?.score).toBeLessThan(0.1);
    expect(await search("q=alise&mode=vector&minScore=0.99")).toEqual([]);
    // Hybrid fuses only vector hits above SEARCH_MIN_SCORE: Bob shares no word and is not
    // fused in, whatever the request's floor; Alice, best of the vector list with no word of the
    // query in any text, scores 1 (the meaning's order alone).
    const hybrid = await search("q=alise&minScore=-1");
    expect(hybrid.map((hit) => [hit.id, hit.score])).toEqual([["1", 1]]);
  });

  for (const [query, field] of [
    ["", "q"],
    ["q=", "q"],
    [`q=${"x".repeat(513)}`, "q"],
    ["q=a&limit=0", "limit"],
    ["q=a&limit=101", "limit"],
    ["q=a&limit=ten", "limit"],
    ["q=a&type=orders", "type"],
    ["q=a&minScore=2", "minScore"],
    ["q=a&minScore=high", "minScore"],
  ] as const) {
    test(`GET /search?${query.slice(0, 20)} is a 400 naming ${field}`, async () => {
      const { app } = await gateway();
      const response = await app.request(`${BASE}/search?${query}`, {
        headers: bearer("tenant-a:u"),
      });
      expect(response.status).toBe(400);
      const error = await readError(response);
      expect(error.code).toBe("invalid_input");
      expect((error.details as { path: string }[]).map((d) => d.path)).toContain(field);
    });
  }

  test("POST /search with a bad limit is a 400 naming it", async () => {
    const { app } = await gateway();
    const response = await app.request(`${BASE}/search`, {
      method: "POST",
      headers: { ...bearer("tenant-a:u"), "content-type": "application/json" },
      body: JSON.stringify({ q: "x", limit: 1000 }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('"path":"limit"');
  });

  test("search without a token is a 401", async () => {
    const { app } = await gateway();
    expect((await app.request(`${BASE}/search?q=x`)).status).toBe(401);
    expect(
      (await app.request(`${BASE}/search?q=x`, { headers: bearer("not a token") })).status,
    ).toBe(401);
  });

  test("searches and embeddings are metered per tenant", async () => {
    const { app } = await gateway();
    await postBatch(app, [user("tenant-a", 1, "Ann"), user("tenant-a", 2, "Bo")].map(toStructured));
    await app.request(`${BASE}/search?q=Ann`, { headers: bearer("tenant-a:u") });
    const response = await app.request(`${BASE}/usage?tenantId=tenant-b`, {
      headers: bearer("tenant-a:u"),
    });
    expect(await response.json()).toEqual({
      tenantId: "tenant-a",
      usage: { embeddings: 2, searches: 1 },
      quota: { embeddingsPerDay: null, embeddingsToday: 2, heldToday: 0 },
    });
  });
});

describe("POST /events", () => {
  test("structured mode stores the event", async () => {
    const { app, store } = await gateway();
    const response = await app.request(`${BASE}/events`, {
      method: "POST",
      headers: { ...bearer("ingest-secret"), "content-type": "application/cloudevents+json" },
      body: JSON.stringify(toStructured(user("tenant-a", 1, "Structured Sam"))),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: 1,
      stored: 1,
      deadLetteredCount: 0,
      deadLettered: [],
    });
    expect(await store.count("users", "tenant-a")).toBe(1);
  });

  test("binary mode (ce-* headers) stores the event", async () => {
    const { app, store } = await gateway();
    const response = await app.request(`${BASE}/events`, {
      method: "POST",
      headers: {
        ...bearer("ingest-secret"),
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "evt-1",
        "ce-source": source,
        "ce-type": "user.created",
        "ce-time": new Date().toISOString(),
        "ce-tenantid": "tenant-a",
        "ce-entityversion": "1",
      },
      body: JSON.stringify({ id: 9, name: "Binary Bea", email: "bea@a.dev", tenantId: "tenant-a" }),
    });
    expect(response.status).toBe(200);
    expect(await store.count("users", "tenant-a")).toBe(1);
  });

  test("a batch stores the valid events and lists the invalid ones, which are dead-lettered", async () => {
    const { app, store, deadLetters } = await gateway();
    const bad = {
      ...toStructured(user("tenant-a", 2, "Bad")),
      id: "evt-bad",
      data: { id: 2, name: "Bad", tenantId: "tenant-a" },
    };
    const response = await postBatch(app, [
      toStructured(user("tenant-a", 1, "Good")),
      bad,
      toStructured(user("tenant-a", 3, "Fine")),
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      accepted: number;
      stored: number;
      deadLettered: { index: number; id: string; code: string }[];
    };
    expect(body).toMatchObject({ accepted: 3, stored: 2 });
    expect(body.deadLettered).toMatchObject([{ index: 1, id: "evt-bad", code: "invalid_data" }]);
    expect(await store.count("users", "tenant-a")).toBe(2);
    expect(deadLetters.list()).toMatchObject([{ source: "http", code: "invalid_data" }]);
  });

  test("an event typed __proto__ is dead-lettered as unknown_type; the rest of its batch is stored", async () => {
    const { app, store, deadLetters } = await gateway();
    const response = await postBatch(app, [
      toStructured(user("tenant-a", 1, "Good")),
      { ...toStructured(user("tenant-a", 2, "Odd")), id: "evt-proto", type: "__proto__" },
      { ...toStructured(user("tenant-a", 3, "Odd")), id: "evt-ctor", type: "constructor" },
      toStructured(user("tenant-a", 4, "Fine")),
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: 4,
      stored: 2,
      deadLetteredCount: 2,
      deadLettered: [
        {
          index: 1,
          id: "evt-proto",
          code: "unknown_type",
          message: 'unknown event type "__proto__"',
        },
        {
          index: 2,
          id: "evt-ctor",
          code: "unknown_type",
          message: 'unknown event type "constructor"',
        },
      ],
    });
    expect(await store.count("users", "tenant-a")).toBe(2);
    expect(deadLetters.list()).toMatchObject([
      { source: "http", code: "unknown_type" },
      { source: "http", code: "unknown_type" },
    ]);
  });

  test("a missing or wrong token is a 401", async () => {
    const { app } = await gateway();
    const noToken = await app.request(`${BASE}/events`, {
      method: "POST",
      body: "[]",
      headers: { "content-type": "application/cloudevents-batch+json" },
    });
    expect(noToken.status).toBe(401);
    expect((await readError(noToken)).code).toBe("unauthorized");
    expect((await postBatch(app, [], "wrong")).status).toBe(401);
    expect((await postBatch(app, [], "tenant-a:user-1")).status).toBe(401);
  });

  test("without INGEST_TOKEN the endpoint is off (404 with a JSON error)", async () => {
    const { app } = await gateway(null);
    const response = await postBatch(app, [toStructured(user("tenant-a", 1, "Off"))]);
    expect(response.status).toBe(404);
    expect((await readError(response)).message).toContain("INGEST_TOKEN");
  });

  test("a body that is not CloudEvents at all is a 400", async () => {
    const { app } = await gateway();
    const response = await app.request(`${BASE}/events`, {
      method: "POST",
      headers: { ...bearer("ingest-secret"), "content-type": "text/plain" },
      body: "hello",
    });
    expect(response.status).toBe(400);
  });
});

describe("GET /stats", () => {
  test("counts the caller tenant's points per collection, never another tenant's", async () => {
    const { app } = await gateway();
    const events = [
      user("tenant-a", 1, "Ann"),
      user("tenant-a", 2, "Bo"),
      user("tenant-b", 3, "Cy"),
    ];
    await postBatch(app, events.map(toStructured));
    const response = await app.request(`${BASE}/stats?tenantId=tenant-b`, {
      headers: bearer("tenant-a:u"),
    });
    expect(await response.json()).toEqual({ tenantId: "tenant-a", points: { users: 2, tasks: 0 } });
  });

  test("without a token is a 401", async () => {
    const { app } = await gateway();
    expect((await app.request(`${BASE}/stats`)).status).toBe(401);
  });
});

describe("operations", () => {
  test("/healthz, /readyz, /metrics, /openapi.json and /asyncapi.json answer", async () => {
    const { app } = await gateway();
    await postBatch(app, [toStructured(user("tenant-a", 1, "Metric Max"))]);
    expect((await app.request(`${BASE}/healthz`)).status).toBe(200);
    expect(
      ((await (await app.request(`${BASE}/readyz`)).json()) as { status: string }).status,
    ).toBe("ready");
    const metrics = await (await app.request(`${BASE}/metrics`)).text();
    for (const name of [
      "ai_gateway_batch_size_messages",
      "ai_gateway_embed_seconds",
      "ai_gateway_store_seconds",
      "ai_gateway_freshness_seconds",
      "ai_gateway_events_total",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toContain('ai_gateway_events_total{type="user.created",source="http"} 1');
    const openapi = (await (await app.request(`${BASE}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(["/search", "/events", "/usage", "/stats"]),
    );
    const asyncapi = (await (await app.request(`${BASE}/asyncapi.json`)).json()) as {
      asyncapi: string;
    };
    expect(asyncapi.asyncapi).toStartWith("3.");
  });
});
