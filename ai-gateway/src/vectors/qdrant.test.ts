import { afterAll, describe, expect, test } from "bun:test";
import { QdrantDouble } from "../../test/qdrant-double.ts";
import { QDRANT_OPENAPI_PATH, QdrantSchema } from "../../test/qdrant-schema.ts";
import { describeVectorStore, userPoint } from "../../test/store-contract.ts";
import { COLLECTIONS } from "./index.ts";
import { QdrantStore } from "./qdrant.ts";

const schema = QdrantSchema.load();
if (!schema)
  console.log(
    `skip: Qdrant schema tests, no ${QDRANT_OPENAPI_PATH} (shared/ beside the repository)`,
  );

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

  describeVectorStore("QdrantStore (double)", async () => (await fresh()).store, {
    keepsTombstones: false,
  });

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
    expect(templates).toContain("POST /collections/{collection_name}/points/delete");
    expect(templates).toContain("POST /collections/{collection_name}/points/query");
  });

  test("creates cosine collections of the embedder's size with a tenant index", async () => {
    const { double } = await fresh();
    for (const name of COLLECTIONS) {
      const collection = double.collections.get(name);
      expect(collection?.size).toBe(384);
      expect(collection?.distance).toBe("Cosine");
      expect(collection?.indexes.get("tenantId")).toEqual({ type: "keyword", is_tenant: true });
    }
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
        expect(request.body).toMatchObject({
          filter: { must: [{ key: "tenantId", match: { value: "tenant-a" } }] },
        });
      }
    }
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

const live = process.env.TEST_QDRANT_URL; // QDRANT_URL, kept by test/preload.ts
describe.skipIf(!live)("QdrantStore live", () => {
  describeVectorStore(
    "QdrantStore (live)",
    async () => {
      const store = new QdrantStore({ url: live ?? "", apiKey: process.env.TEST_QDRANT_API_KEY });
      await store.init(384);
      // Fresh data per test: delete what the contract's tests write.
      for (const tenant of ["tenant-a", "tenant-b"]) {
        const ids = [1, 2, 3, 4, 7, ...Array.from({ length: 30 }, (_, i) => i + 100)];
        await store.write("users", {
          upserts: [],
          deletes: ids.map((id) => ({
            ...userPoint(tenant, id, "x"),
            version: Number.MAX_SAFE_INTEGER,
          })),
        });
      }
      return store;
    },
    { keepsTombstones: false },
  );
});
