import { afterEach, describe, expect, test } from "bun:test";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { openDatabase } from "../src/db.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { OpenAiEmbedder } from "../src/embedders/openai.ts";
import { SqliteEmbeddingCache } from "../src/embedders/sqlite-cache.ts";
import { EmbeddingsServer } from "./embeddings-server.ts";
import { inProcessGateway } from "./in-process.ts";
import { CountingEmbedder, scratch, servedGateway } from "./served-gateway.ts";
import { userEvent } from "./user-events.ts";

const { stops, dataDir, clear } = scratch("embedding-cache-");
afterEach(clear);

const user = userEvent;

async function gateway(dir: string, embedder: CountingEmbedder, env: Record<string, string> = {}) {
  const served = await servedGateway({ dataDir: dir, embedder, env });
  stops.push(() => served.stop());
  return served;
}

describe("embedding cache", () => {
  test("a redelivery and an update that keeps the text are not embedded again; /usage bills computed ones", async () => {
    const embedder = new CountingEmbedder(new HashingEmbedder(384));
    const gw = await gateway(dataDir(), embedder);
    const first = [user("tenant-a", 1, "Ann"), user("tenant-a", 2, "Bo")];
    expect((await gw.post(first)).status).toBe(200);
    expect(embedder.texts).toHaveLength(2);

    expect((await gw.post(first)).status).toBe(200); // redelivery
    expect((await gw.post([user("tenant-a", 1, "Ann", 2)])).status).toBe(200); // same text
    expect(embedder.texts).toHaveLength(2);
    expect((await gw.post([user("tenant-a", 2, "Bob", 2)])).status).toBe(200); // new text
    expect(embedder.texts).toEqual([
      "Ann 1@tenant-a.dev",
      "Bo 2@tenant-a.dev",
      "Bob 2@tenant-a.dev",
    ]);

    // Cached vectors are real: the updated user is found by its text.
    const hits = (await (await gw.get("/search?q=Ann", "tenant-a")).json()) as {
      hits: { data: { id: number } }[];
    };
    expect(hits.hits[0]?.data.id).toBe(1);
    const usage = (await (await gw.get("/usage", "tenant-a")).json()) as {
      usage: { embeddings: number };
    };
    expect(usage.usage.embeddings).toBe(3);
    expect(await gw.metric("ai_gateway_embedding_cache_hits_total")).toBe(3);
    expect(await gw.metric("ai_gateway_embedding_cache_misses_total")).toBe(3);
    expect(await gw.metric("ai_gateway_embedding_cache_entries")).toBe(3);
    // 384 float32s and a 32-byte hash per entry, plus the embedder's name.
    expect(await gw.metric("ai_gateway_embedding_cache_bytes")).toBe(3 * (384 * 4 + 32 + 7));
  });

  test("a re-import after a restart on the same SQLite file embeds nothing", async () => {
    const dir = dataDir();
    const events = Array.from({ length: 50 }, (_, i) => user("tenant-a", i + 1, `User ${i}`));
    const before = new CountingEmbedder(new HashingEmbedder(384));
    const first = await gateway(dir, before);
    expect((await first.post(events)).status).toBe(200);
    expect(before.texts).toHaveLength(50);
    first.stop();
    stops.length = 0;

    const after = new CountingEmbedder(new HashingEmbedder(384));
    const second = await gateway(dir, after);
    expect((await second.post(events)).status).toBe(200);
    expect(after.texts).toHaveLength(0);
    expect(await second.metric("ai_gateway_embedding_cache_entries")).toBe(50);
  });

  test("the hashing embedder skips the cache: it computes a text faster than the cache finds it", async () => {
    const gw = await servedGateway({ dataDir: dataDir(), embedder: new HashingEmbedder(384) });
    stops.push(() => gw.stop());
    const events = [user("tenant-a", 1, "Ann"), user("tenant-a", 2, "Bo")];
    expect((await gw.post(events)).status).toBe(200);
    expect((await gw.post(events)).status).toBe(200); // redelivery: hashed again
    expect(await gw.metric("ai_gateway_embedding_cache_entries")).toBe(0);
    expect(await gw.metric("ai_gateway_embedding_cache_misses_total")).toBe(0);
    const hits = (await (await gw.get("/search?q=Ann", "tenant-a")).json()) as {
      hits: { data: { id: number } }[];
    };
    expect(hits.hits[0]?.data.id).toBe(1);
  });

  test("EMBEDDING_CACHE_MAX_ENTRIES=0 turns the cache off", async () => {
    const embedder = new CountingEmbedder(new HashingEmbedder(384));
    const gw = await gateway(dataDir(), embedder, { EMBEDDING_CACHE_MAX_ENTRIES: "0" });
    const events = [user("tenant-a", 1, "Ann")];
    await gw.post(events);
    await gw.post(events);
    expect(embedder.texts).toHaveLength(2);
  });

  test("the OpenAI-compatible embedder is sent each text once across redeliveries", async () => {
    const server = new EmbeddingsServer(384);
    stops.push(() => server.stop());
    const embedder = new CountingEmbedder(
      new OpenAiEmbedder({ url: server.url, model: "stub-model", dims: 384 }),
    );
    const gw = await gateway(dataDir(), embedder);
    const events = Array.from({ length: 20 }, (_, i) =>
      user(`tenant-${i % 2}`, i + 1, `User ${i}`),
    );
    for (let round = 0; round < 3; round++) expect((await gw.post(events)).status).toBe(200);
    expect(server.texts).toHaveLength(20);
  });

  test("a long text is embedded chunk by chunk: an edit near its end embeds only the chunks it changed", async () => {
    const server = new EmbeddingsServer(384);
    stops.push(() => server.stop());
    const embedder = new CountingEmbedder(
      new OpenAiEmbedder({ url: server.url, model: "stub-model", dims: 384 }),
    );
    const gw = await gateway(dataDir(), embedder);
    const sentences = Array.from({ length: 80 }, (_, i) => `Step ${i} of the migration plan.`);
    const task = (version: number, last: string) =>
      makeEvent("task.created", {
        tenantId: "tenant-a",
        source: "urn:test",
        version,
        data: {
          id: "long-1",
          tenantId: "tenant-a",
          title: "Migration",
          description: `${sentences.join(" ")} ${last}`,
          status: "open",
        },
      });
    expect((await gw.post([task(1, "Then celebrate.")])).status).toBe(200);
    const first = server.texts.length;
    expect(first).toBeGreaterThan(2);
    expect(server.texts.every((text) => text.length <= 1000)).toBe(true);
    expect((await gw.post([task(2, "Then write the report.")])).status).toBe(200);
    // Only the last chunk holds the edit; the others come from the cache.
    expect(server.texts.length - first).toBe(1);
    expect(server.texts.at(-1)).toContain("Then write the report.");
    const usage = await (await gw.get("/usage", "tenant-a")).json();
    expect(usage).toMatchObject({ usage: { embeddings: first + 1 } });
  });
});

describe("embedding cache scope", () => {
  /** The same text in any tenant: what a tenant guessing another's data would send. */
  const secret = (tenantId: string, id: number) =>
    makeEvent("user.created", {
      tenantId,
      source: "urn:test",
      version: 1,
      data: { id, name: "Jane Doe", email: "ceo@acme-secret.com", tenantId },
    });
  const embeddings = async (gw: Awaited<ReturnType<typeof gateway>>, tenantId: string) =>
    ((await (await gw.get("/usage", tenantId)).json()) as { usage: { embeddings: number } }).usage
      .embeddings;

  test("per tenant by default: tenant B indexing tenant A's text is a miss for B, billed to B", async () => {
    const embedder = new CountingEmbedder(new HashingEmbedder(384));
    const gw = await gateway(dataDir(), embedder);
    expect((await gw.post([secret("tenant-a", 1)])).status).toBe(200);
    expect((await gw.post([secret("tenant-b", 1)])).status).toBe(200);
    expect(embedder.texts).toHaveLength(2);
    expect(await embeddings(gw, "tenant-b")).toBe(1);
    expect(await gw.metric("ai_gateway_embedding_cache_hits_total")).toBe(0);
    expect(await gw.metric("ai_gateway_embedding_cache_misses_total")).toBe(2);
    // Within one tenant the cache still works: a redelivery is a hit, and not billed again.
    expect((await gw.post([secret("tenant-b", 1)])).status).toBe(200);
    expect(embedder.texts).toHaveLength(2);
    expect(await embeddings(gw, "tenant-b")).toBe(1);
  });

  test("EMBEDDING_CACHE_SCOPE=shared: one entry across tenants, and a hit is metered like a miss", async () => {
    const embedder = new CountingEmbedder(new HashingEmbedder(384));
    const gw = await gateway(dataDir(), embedder, { EMBEDDING_CACHE_SCOPE: "shared" });
    expect((await gw.post([secret("tenant-a", 1)])).status).toBe(200);
    expect((await gw.post([secret("tenant-b", 1)])).status).toBe(200);
    expect(embedder.texts).toHaveLength(1);
    // B cannot tell from its usage that A had the text: billed 1, as for a text nobody had.
    expect(await embeddings(gw, "tenant-b")).toBe(1);
    expect(await gw.metric("ai_gateway_embedding_cache_hits_total")).toBe(1);
  });
});

describe("SqliteEmbeddingCache bounds", () => {
  const vector = (x: number) => new Float32Array(8).fill(x);

  test("past maxEntries the least recently used entries go first", () => {
    let now = 1_000_000_000;
    const db = openDatabase(dataDir());
    stops.push(() => db.close());
    const cache = new SqliteEmbeddingCache(db, { maxEntries: 2, maxAgeDays: 30 }, () => now);
    cache.put("hashing", 8, [{ text: "a", vector: vector(1) }]);
    now += 2 * 60 * 60 * 1000;
    cache.put("hashing", 8, [{ text: "b", vector: vector(2) }]);
    now += 2 * 60 * 60 * 1000;
    expect(cache.get("hashing", 8, ["a"])[0]?.[0]).toBe(1); // "a" is now the most recent
    cache.put("hashing", 8, [{ text: "c", vector: vector(3) }]);
    const [a, b, c] = cache.get("hashing", 8, ["a", "b", "c"]);
    expect([a?.[0], b, c?.[0]]).toEqual([1, undefined, 3]);
    expect(cache.stats().entries).toBe(2);
  });

  test("entries unused for maxAgeDays are dropped; another embedder or size misses", () => {
    let now = 1_000_000_000;
    const db = openDatabase(dataDir());
    stops.push(() => db.close());
    const cache = new SqliteEmbeddingCache(db, { maxEntries: 100, maxAgeDays: 1 }, () => now);
    cache.put("hashing", 8, [{ text: "old", vector: vector(1) }]);
    expect(cache.get("openai:other-model", 8, ["old"])).toEqual([undefined]);
    expect(cache.get("hashing", 16, ["old"])).toEqual([undefined]);
    now += 2 * 24 * 60 * 60 * 1000;
    cache.put("hashing", 8, [{ text: "new", vector: vector(2) }]);
    expect(cache.get("hashing", 8, ["old", "new"]).map((v) => v?.[0])).toEqual([undefined, 2]);
    expect(cache.stats()).toEqual({ entries: 1, bytes: 8 * 4 + 32 + 7 });
  });
});

test("through the gateway as main.ts wires it (generations), the hashing embedder still skips the cache", async () => {
  const cleanups: (() => unknown)[] = [];
  try {
    const gw = await inProcessGateway({ DATA_DIR: dataDir() }, cleanups);
    const batch = encodeHttpBatch([user("tenant-a", 1, "Ann"), user("tenant-a", 2, "Bo")]);
    const post = await fetch(`${gw.url}/events`, {
      method: "POST",
      headers: { authorization: "Bearer t0ken", "content-type": batch.contentType },
      body: batch.body,
    });
    expect(post.status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^ai_gateway_embedding_cache_entries 0$/m);
    expect(metrics).toMatch(/^ai_gateway_embedding_cache_misses_total 0$/m);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
});
