import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { QdrantDouble } from "../../test/qdrant-double.ts";
import {
  dropPrefixed,
  fingerprintUnprefixed,
  randomPrefix,
  seedForeignUsers,
  testClient,
} from "../../test/qdrant-isolation.ts";
import { QDRANT_OPENAPI_PATH, QdrantSchema } from "../../test/qdrant-schema.ts";
import { describeVectorStore, userPoint } from "../../test/store-contract.ts";
import { taskPoint } from "../../test/store-contract-search.ts";
import { COLLECTIONS } from "./index.ts";
import { QdrantStore } from "./qdrant.ts";

const schema = QdrantSchema.load();
if (!schema)
  console.log(
    `skip: Qdrant schema tests, no ${QDRANT_OPENAPI_PATH} (shared/ beside the repository)`,
  );

/**
 * The store against a Qdrant that may hold other data. Every test works in collections of its
 * own random prefix, dropped at the end; the unprefixed `users`/`tasks` must stay as they were.
 * `connect` runs in `beforeAll` (it may start a server) and answers where Qdrant is.
 */
function describeSharedQdrant(
  label: string,
  connect: () => Promise<{ url: string; apiKey?: string | undefined }>,
): void {
  describe(label, () => {
    let target: { url: string; apiKey?: string | undefined } = { url: "" };
    const prefixes: string[] = [];
    let before = "";
    const client = () => testClient(target.url, target.apiKey);
    const store = (prefix: string) =>
      new QdrantStore({ url: target.url, apiKey: target.apiKey, collectionPrefix: prefix });
    const prefix = () => {
      const made = randomPrefix();
      prefixes.push(made);
      return made;
    };
    beforeAll(async () => {
      target = await connect();
      before = await fingerprintUnprefixed(client());
    });
    afterAll(async () => {
      if (target.url) await dropPrefixed(client(), prefixes);
    });

    describeVectorStore(label, async () => {
      const fresh = store(prefix());
      await fresh.init(384);
      return fresh;
    });

    test("4 stores starting at once against an empty Qdrant all start", async () => {
      const shared = prefix();
      const stores = Array.from({ length: 4 }, () => store(shared));
      const started = await Promise.allSettled(stores.map((s) => s.init(384)));
      expect(started.map((result) => result.status)).toEqual(Array(4).fill("fulfilled"));
      for (const name of COLLECTIONS) {
        const info = await client().getCollection(`${shared}${name}`);
        expect(info.config.params.vectors).toMatchObject({ size: 384, distance: "Cosine" });
        expect(info.config.params.sparse_vectors).toEqual({ keywords: { modifier: "idf" } });
        expect(Object.keys(info.payload_schema).sort()).toEqual([
          "deleted",
          "filters.assignee",
          "filters.status",
          "tenantId",
        ]);
      }
      await stores[0]?.write("users", { upserts: [userPoint("tenant-a", 1, "Ann")], deletes: [] });
      expect(await stores[3]?.count("users", "tenant-a")).toBe(1);
    });

    test("Qdrant answers a duplicate create with 409 and its error message", async () => {
      const name = `${prefix()}users`;
      const create = () =>
        fetch(`${target.url}/collections/${name}`, {
          method: "PUT",
          headers: {
            "content-type": "application/json",
            ...(target.apiKey ? { "api-key": target.apiKey } : {}),
          },
          body: JSON.stringify({ vectors: { size: 384, distance: "Cosine" } }),
        });
      expect((await create()).status).toBe(200);
      const again = await create();
      expect(again.status).toBe(409);
      const body = (await again.json()) as { status: { error: string }; result?: unknown };
      expect(body.status.error).toBe(`Wrong input: Collection \`${name}\` already exists!`);
      expect(body.result).toBeUndefined();
    });

    test("refuses vectors of another size or distance with one line naming both", async () => {
      const sized = prefix();
      await client().createCollection(`${sized}users`, {
        vectors: { size: 768, distance: "Cosine" },
      });
      const error = await store(sized)
        .init(384)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(String(error)).toContain(
        `qdrant collection ${sized}users has vectors of size 768 (Cosine), the embedder makes 384 (Cosine)`,
      );
      expect(String(error)).not.toContain("\n");
      const dot = prefix();
      await client().createCollection(`${dot}users`, { vectors: { size: 384, distance: "Dot" } });
      await expect(store(dot).init(384)).rejects.toThrow(
        `qdrant collection ${dot}users has vectors of size 384 (Dot), the embedder makes 384 (Cosine)`,
      );
    });

    test("leaves the unprefixed users and tasks collections as they were", async () => {
      expect(await fingerprintUnprefixed(client())).toBe(before);
    });
  });
}

describe.skipIf(!schema)("QdrantStore against the schema-checking double", () => {
  const doubles: QdrantDouble[] = [];
  afterAll(() => {
    for (const double of doubles) double.stop();
  });
  const fresh = async () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    doubles.push(double);
    const store = new QdrantStore({ url: double.url });
    await store.init(384);
    return { double, store };
  };

  test("every request of a full cycle is schema-valid, answers too", async () => {
    const { double, store } = await fresh();
    await store.init(384); // second start: collections exist already
    await store.write("users", { upserts: [userPoint("tenant-a", 1, "Alice")], deletes: [] });
    await store.write("users", {
      upserts: [],
      deletes: [{ ...userPoint("tenant-a", 1, "Alice"), version: 2 }],
    });
    await store.search("users", "tenant-a", new Float32Array(384).fill(0.05), 10);
    await store.count("users", "tenant-a");
    await store.ping();
    expect(double.problems).toEqual([]);
    const templates = new Set(double.requests.map((r) => `${r.method} ${r.template}`));
    expect(templates).toContain("PUT /collections/{collection_name}/points");
    expect(templates).toContain("POST /collections/{collection_name}/points/query");
  });

  test("creates cosine collections of the embedder's size with a tenant index", async () => {
    const { double } = await fresh();
    for (const name of COLLECTIONS) {
      const collection = double.collections.get(name);
      expect(collection?.size).toBe(384);
      expect(collection?.distance).toBe("Cosine");
      expect(collection?.indexes.get("tenantId")).toEqual({ type: "keyword", is_tenant: true });
      expect(collection?.indexes.get("deleted")).toBe("bool");
    }
  });

  test("a delete leaves a tombstone without the user's data or embedding", async () => {
    const { double, store } = await fresh();
    const alice = userPoint("tenant-a", 1, "Alice Private");
    await store.write("users", { upserts: [alice], deletes: [] });
    await store.write("users", { upserts: [], deletes: [{ ...alice, version: 2 }] });
    const stored = double.collections.get("users")?.points.get(alice.id);
    expect(stored?.payload).toEqual({
      tenantId: "tenant-a",
      entityId: "1",
      version: 2,
      deleted: true,
    });
    expect(stored?.vector).not.toEqual(Array.from(alice.vector));
    expect(await store.count("users")).toBe(0);
  });

  test("writes wait for the server, and every read filters on the tenant", async () => {
    const { double, store } = await fresh();
    await store.write("users", { upserts: [userPoint("tenant-a", 1, "Alice")], deletes: [] });
    await store.search("users", "tenant-a", new Float32Array(384).fill(0.05), 3);
    await store.count("users", "tenant-a");
    for (const request of double.requests) {
      if (request.template.endsWith("/points") && request.method === "PUT")
        expect(request.query.wait).toBe("true");
      if (request.template.endsWith("/query") || request.template.endsWith("/count")) {
        const tombstones = { key: "deleted", match: { value: true } };
        // Counts leave out the extra points of long texts' chunks; searches find them.
        const chunks = request.template.endsWith("/count")
          ? [{ key: "chunk", match: { value: true } }]
          : [];
        expect(request.body).toMatchObject({
          filter: {
            must: [{ key: "tenantId", match: { value: "tenant-a" } }],
            must_not: [tombstones, ...chunks],
          },
        });
      }
    }
  });

  test("hybrid search with RRF is one Query API request: a dense and a sparse prefetch, each filtered, fused by RRF", async () => {
    const { double, store } = await fresh();
    const task = taskPoint("tenant-a", 1, "Pay INV-2024-0042", "open", { assignee: 7 });
    await store.write("tasks", { upserts: [task], deletes: [] });
    const stored = double.collections.get("tasks")?.points.get(task.id);
    expect(stored?.payload.filters).toEqual({ status: "open", assignee: "7" });
    expect(stored?.sparse.get("keywords")?.indices.length).toBeGreaterThan(0);
    const before = double.requests.length;
    const hits = await store.search("tasks", "tenant-a", task.vector, 5, {
      mode: "hybrid",
      text: "INV-2024-0042",
      filter: { status: ["open", "completed"] },
      vectorFloor: 0.1,
      fusion: "rrf",
    });
    expect(hits.map((hit) => [hit.id, hit.score])).toEqual([["1", 1]]);
    const queries = double.requests.slice(before);
    expect(queries).toHaveLength(1);
    const must = [
      { key: "tenantId", match: { value: "tenant-a" } },
      { key: "filters.status", match: { any: ["open", "completed"] } },
    ];
    const filter = { must, must_not: [{ key: "deleted", match: { value: true } }] };
    expect(queries[0]?.body).toMatchObject({
      prefetch: [
        { query: Array.from(task.vector), filter, limit: 80, score_threshold: 0.1 },
        { query: { indices: expect.any(Array) }, using: "keywords", filter, limit: 80 },
      ],
      query: { rrf: { k: 60 } },
      // Points, not entities: four per entity wanted, as a long text's chunks may crowd.
      limit: 20,
    });
    expect(double.problems).toEqual([]);
  });

  test("hybrid search with relative fusion is one batch request of a dense and a sparse search, fused in the gateway", async () => {
    const { double, store } = await fresh();
    const paid = taskPoint("tenant-a", 1, "Pay INV-2024-0042", "open");
    const other = taskPoint("tenant-a", 2, "Pay the rent", "open");
    await store.write("tasks", { upserts: [paid, other], deletes: [] });
    const before = double.requests.length;
    const hits = await store.search("tasks", "tenant-a", paid.vector, 5, {
      mode: "hybrid",
      text: "INV-2024-0042",
      filter: { status: ["open"] },
      vectorFloor: -1,
    });
    expect(hits.map((hit) => hit.id)).toEqual(["1", "2"]);
    expect(hits[0]?.score).toBe(1);
    const queries = double.requests.slice(before);
    expect(queries).toHaveLength(1);
    expect(queries[0]?.path).toBe("/collections/tasks/points/query/batch");
    const must = [
      { key: "tenantId", match: { value: "tenant-a" } },
      { key: "filters.status", match: { any: ["open"] } },
    ];
    const filter = { must, must_not: [{ key: "deleted", match: { value: true } }] };
    expect(queries[0]?.body).toMatchObject({
      searches: [
        { query: Array.from(paid.vector), filter, limit: 80, score_threshold: -1 },
        { query: { indices: expect.any(Array) }, using: "keywords", filter, limit: 80 },
      ],
    });
    expect(double.problems).toEqual([]);
  });

  test("a collection made before keyword search still stores and finds by meaning", async () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    doubles.push(double);
    await testClient(double.url).createCollection("tasks", {
      vectors: { size: 384, distance: "Cosine" },
    });
    const store = new QdrantStore({ url: double.url });
    await store.init(384);
    const task = taskPoint("tenant-a", 1, "Water the plants");
    await store.write("tasks", { upserts: [task], deletes: [] });
    const search = (mode: "hybrid" | "keyword") =>
      store.search("tasks", "tenant-a", task.vector, 5, { mode, text: "plants" });
    // The meaning alone (no keyword list): the best by meaning scores 1.
    expect((await search("hybrid")).map((hit) => [hit.id, hit.score])).toEqual([["1", 1]]);
    expect(await search("keyword")).toEqual([]);
    expect(double.problems).toEqual([]);
  });

  test("the double refuses a point id that is neither an unsigned integer nor a UUID", async () => {
    const { double } = await fresh();
    const point = (id: unknown) => ({ points: [{ id, vector: [0.1, 0.2], payload: {} }] });
    const path = "/collections/users/points";
    expect(
      double.checkRequestBody("PUT", path, point("550e8400-e29b-41d4-a716-446655440000")),
    ).toEqual([]);
    expect(double.checkRequestBody("PUT", path, point(42))).toEqual([]);
    expect(double.checkRequestBody("PUT", path, point("user-42"))).not.toEqual([]);
    expect(double.checkRequestBody("PUT", path, point(-1))).not.toEqual([]);
    expect(double.checkRequestBody("PUT", path, point(1.5))).not.toEqual([]);
    const response = await fetch(`${double.url}${path}?wait=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ points: [{ id: "user-42", vector: new Array(384).fill(0.1) }] }),
    });
    expect(response.status).toBe(400);
  });
});

if (schema) {
  // Beside a `users` collection of 185 foreign points (what broke the suite against a real
  // Qdrant before collections had a prefix).
  const seeded = new QdrantDouble(schema);
  afterAll(() => seeded.stop());
  describeSharedQdrant("QdrantStore (double holding foreign data)", async () => {
    seeded.start();
    await seedForeignUsers(testClient(seeded.url), 185);
    return { url: seeded.url };
  });
  test("the seeded double saw only schema-valid requests", () => {
    expect(seeded.problems).toEqual([]);
    expect(seeded.collections.get("users")?.points.size).toBe(185);
  });
}

const live = process.env.TEST_QDRANT_URL; // QDRANT_URL, kept by test/preload.ts
if (live) {
  describeSharedQdrant("QdrantStore (live)", async () => ({
    url: live,
    apiKey: process.env.TEST_QDRANT_API_KEY,
  }));
}
