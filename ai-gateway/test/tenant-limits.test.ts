import { afterEach, describe, expect, test } from "bun:test";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import type { Embedder } from "../src/embedders/index.ts";
import { CountingEmbedder, servedGateway } from "./served-gateway.ts";
import { userEvent } from "./user-events.ts";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const user = userEvent;

async function gateway(limits: string, embedder: Embedder = new HashingEmbedder(384)) {
  const served = await servedGateway({ embedder, env: { TENANT_LIMITS: limits } });
  stops.push(() => served.stop());
  return served;
}

/** The RFC 9457 problem document of a 429. */
interface Problem {
  status: number;
  code: string;
  detail: string;
  details: { tenantId: string; limit: string };
}

describe("TENANT_LIMITS", () => {
  test("a tenant over searchesPerSecond gets 429 with Retry-After; another tenant is still served", async () => {
    // One per second: the second search within that second is refused.
    const gw = await gateway("*:searchesPerSecond=100;tenant-a:searchesPerSecond=1");
    expect((await gw.get("/search?q=x", "tenant-a")).status).toBe(200);
    const refused = await gw.get("/search?q=x", "tenant-a");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("content-type")).toStartWith("application/problem+json");
    const body = (await refused.json()) as Problem;
    expect(body).toMatchObject({ status: 429, code: "too_many_requests" });
    expect(body.detail).toContain("tenant tenant-a is over its limit of 1 searches per second");
    expect(body.details).toMatchObject({ tenantId: "tenant-a", limit: "searchesPerSecond" });
    expect((await gw.get("/search?q=x", "tenant-b")).status).toBe(200);
  });

  test("ingest over a tenant's eventsPerSecond is a 429 for the whole request; nothing of it is stored", async () => {
    const gw = await gateway("tenant-a:eventsPerSecond=5");
    // The first request may overdraw the bucket (10 > 5 per second): it is admitted whole.
    const first = await gw.post(
      Array.from({ length: 10 }, (_, i) => user("tenant-a", i + 1, `A${i}`)),
    );
    expect(first.status).toBe(200);
    const second = await gw.post([user("tenant-b", 1, "Bea"), user("tenant-a", 99, "Late")]);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await second.json()) as Problem).details.limit).toBe("eventsPerSecond");
    const bea = (await (await gw.get("/search?q=Bea", "tenant-b")).json()) as { hits: unknown[] };
    expect(bea.hits).toHaveLength(0);
    // A tenant without a limit is admitted on its own.
    expect((await gw.post([user("tenant-b", 1, "Bea")])).status).toBe(200);
  });

  test("over embeddingsPerDay events are dead-lettered, counted as held in /usage; cached texts still pass", async () => {
    const embedder = new CountingEmbedder(new HashingEmbedder(384));
    const gw = await gateway("tenant-a:embeddingsPerDay=2", embedder);
    const response = await gw.post([
      user("tenant-a", 1, "Ann"),
      user("tenant-a", 2, "Bo"),
      user("tenant-a", 3, "Cy"),
      user("tenant-b", 1, "Dee"),
    ]);
    expect(response.status).toBe(200);
    expect(embedder.texts).toHaveLength(3);
    const letters = gw.db
      .query<{ code: string; reason: string }, []>("SELECT code, reason FROM dead_letters")
      .all();
    expect(letters).toEqual([
      {
        code: "embedding_quota_exceeded",
        reason: "tenant tenant-a used its 2 embeddings of today (UTC); send it again tomorrow",
      },
    ]);
    // Ann's text is cached: an update that keeps it costs nothing and is stored.
    expect((await gw.post([user("tenant-a", 1, "Ann", 2)])).status).toBe(200);
    expect(embedder.texts).toHaveLength(3);
    const usage = await (await gw.get("/usage", "tenant-a")).json();
    expect(usage).toEqual({
      tenantId: "tenant-a",
      usage: { embeddings: 2, searches: 0 },
      quota: { embeddingsPerDay: 2, embeddingsToday: 2, heldToday: 1 },
    });
    const other = await (await gw.get("/usage", "tenant-b")).json();
    expect(other).toMatchObject({ quota: { embeddingsPerDay: null, embeddingsToday: 1 } });
  });
});
