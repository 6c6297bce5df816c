import { afterAll, describe, expect, test } from "bun:test";
import { QdrantStore } from "./qdrant.ts";
import { QDRANT_REQUEST_HEADERS } from "./qdrant-transport.ts";

/**
 * The adapter asks Qdrant for uncompressed answers: a compressed one is streamed (headers, then a
 * chunked body in a second write) and Nagle on Qdrant's socket held that second write until the
 * client's delayed ACK, about 40 ms per back-to-back request (bench/qdrant-latency.ts measures it).
 */
describe("QdrantStore's requests", () => {
  const seen: { method: string; path: string; headers: Headers }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      seen.push({ method: request.method, path, headers: request.headers });
      const result = path.endsWith("/points/query") ? { points: [] } : { collections: [] };
      return Response.json({ result, status: "ok", time: 0 });
    },
  });
  afterAll(() => server.stop(true));

  test("ask for accept-encoding: identity, reads and writes alike, with the api-key kept", async () => {
    const store = new QdrantStore({ url: `http://127.0.0.1:${server.port}`, apiKey: "secret" });
    await store.ping();
    expect(await store.search("users", "tenant-a", new Float32Array(4).fill(0.5), 5)).toEqual([]);
    expect(seen.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /collections",
      "POST /collections/users/points/query",
    ]);
    for (const request of seen) {
      expect(request.headers.get("accept-encoding")).toBe("identity");
      expect(request.headers.get("api-key")).toBe("secret");
    }
  });
});

const live = process.env.TEST_QDRANT_URL; // QDRANT_URL, kept by test/preload.ts
describe.skipIf(!live)("the adapter's headers against a live Qdrant", () => {
  test("get an answer of known length, neither compressed nor chunked", async () => {
    const apiKey = process.env.TEST_QDRANT_API_KEY;
    const response = await fetch(`${live}/collections`, {
      headers: { ...QDRANT_REQUEST_HEADERS, ...(apiKey ? { "api-key": apiKey } : {}) },
    });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(0);
  });
});
