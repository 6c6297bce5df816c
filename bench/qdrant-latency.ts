// bench:qdrant-latency — what one back-to-back `points/query` (limit 20, with payload, the
// gateway's tenant filter) costs against a real Qdrant, per HTTP client variant, A/B in one run:
// Bun's fetch as it comes and with `accept-encoding: identity`, @qdrant/js-client-rest as it
// comes and as the gateway builds it (createQdrantClient), node:http through an Agent with
// `noDelay` (with and without asking for br), and Bun's fetch paced 50 ms apart. The variants
// take turns in ROUNDS rounds of REQUESTS back-to-back requests each, so that the load of the
// shared machine falls on all of them alike. Seeds its own collection and drops it at the end.
// `QDRANT_URL=http://127.0.0.1:6334 bun run bench:qdrant-latency`.
// Env: QDRANT_URL (required), QDRANT_API_KEY, ROUNDS (5), REQUESTS (40), POINTS (1000).

import { Agent, request as httpRequest } from "node:http";
import {
  createQdrantClient,
  QDRANT_REQUEST_HEADERS,
  QdrantClient,
} from "../ai-gateway/src/vectors/qdrant-transport.ts";
import { percentile, printTable, progress, type Row, writeResult } from "./lib/report.ts";

const QDRANT_URL = process.env.QDRANT_URL;
if (!QDRANT_URL) {
  console.error("QDRANT_URL is required (e.g. http://127.0.0.1:6334)");
  process.exit(2);
}
const API_KEY = process.env.QDRANT_API_KEY || undefined;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REQUESTS = Number(process.env.REQUESTS ?? 40);
const POINTS = Number(process.env.POINTS ?? 1_000);
const DIMS = 384;
const COLLECTION = `bench-latency-${crypto.randomUUID().slice(0, 8)}`;
const TENANT = "tenant-0";

/** Deterministic pseudo-random vectors, so every run queries the same data. */
function vector(seed: number): number[] {
  let state = seed * 2_654_435_761 + 1;
  return Array.from({ length: DIMS }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  });
}

const QUERY = {
  query: vector(POINTS + 1),
  filter: {
    must: [{ key: "tenantId", match: { value: TENANT } }],
    must_not: [{ key: "deleted", match: { value: true } }],
  },
  limit: 20,
  with_payload: true,
  with_vector: false,
};
const BODY = JSON.stringify(QUERY);
const PATH = `/collections/${COLLECTION}/points/query`;
const authHeaders: Record<string, string> = API_KEY ? { "api-key": API_KEY } : {};

/** One request, answered and read in full; what the response said about its encoding. */
type Send = () => Promise<string>;

async function viaFetch(extra: Record<string, string>): Promise<string> {
  const response = await fetch(`${QDRANT_URL}${PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders, ...extra },
    body: BODY,
  });
  await response.json();
  if (!response.ok) throw new Error(`qdrant answered ${response.status}`);
  return response.headers.get("content-encoding") ?? "none";
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
agent.on("free", (socket) => socket.setNoDelay(true));

function viaNodeHttp(extra: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${QDRANT_URL}${PATH}`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(BODY)),
          ...authHeaders,
          ...extra,
        },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(String(res.headers["content-encoding"] ?? "none")));
        res.on("error", reject);
      },
    );
    req.on("socket", (socket) => socket.setNoDelay(true));
    req.on("error", reject);
    req.end(BODY);
  });
}

const plainClient = new QdrantClient({
  url: QDRANT_URL,
  ...(API_KEY ? { apiKey: API_KEY } : {}),
  checkCompatibility: false,
});
const gatewayClient = createQdrantClient({ url: QDRANT_URL, apiKey: API_KEY });
/** The client decodes the answer itself; its encoding is not seen here. */
async function viaClient(client: QdrantClient): Promise<string> {
  await client.query(COLLECTION, QUERY);
  return "?";
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const VARIANTS: { name: string; pauseMs: number; send: Send }[] = [
  { name: "fetch, Bun's default accept-encoding", pauseMs: 0, send: () => viaFetch({}) },
  {
    name: "fetch, accept-encoding: identity",
    pauseMs: 0,
    send: () => viaFetch(QDRANT_REQUEST_HEADERS),
  },
  {
    name: "js-client-rest, as it comes (before)",
    pauseMs: 0,
    send: () => viaClient(plainClient),
  },
  {
    name: "js-client-rest, createQdrantClient (after)",
    pauseMs: 0,
    send: () => viaClient(gatewayClient),
  },
  {
    name: "node:http noDelay, accept-encoding: br",
    pauseMs: 0,
    send: () => viaNodeHttp({ "accept-encoding": "br" }),
  },
  { name: "node:http noDelay, no accept-encoding", pauseMs: 0, send: () => viaNodeHttp({}) },
  { name: "fetch, Bun's default, 50 ms apart", pauseMs: 50, send: () => viaFetch({}) },
];

async function seed(): Promise<void> {
  await plainClient.createCollection(COLLECTION, { vectors: { size: DIMS, distance: "Cosine" } });
  await plainClient.createPayloadIndex(COLLECTION, {
    wait: true,
    field_name: "tenantId",
    field_schema: { type: "keyword", is_tenant: true },
  });
  const points = Array.from({ length: POINTS }, (_, i) => ({
    id: i + 1,
    vector: vector(i + 1),
    payload: {
      tenantId: TENANT,
      entityId: `user-${i}`,
      version: 1,
      data: { name: `User number ${i}`, email: `user${i}@example.com` },
    },
  }));
  for (let at = 0; at < points.length; at += 500) {
    await plainClient.upsert(COLLECTION, { wait: true, points: points.slice(at, at + 500) });
  }
}

async function main(): Promise<void> {
  progress(`seeding ${POINTS} points of ${DIMS} dims into ${COLLECTION}`);
  await seed();
  const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const encodings = new Map<string, Set<string>>(VARIANTS.map((v) => [v.name, new Set()]));
  try {
    for (const variant of VARIANTS) await variant.send(); // warm: connection open, JIT
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`round ${round} / ${ROUNDS}`);
      for (const variant of VARIANTS) {
        for (let i = 0; i < REQUESTS; i++) {
          if (variant.pauseMs > 0) await sleep(variant.pauseMs);
          const start = performance.now();
          const encoding = await variant.send();
          samples.get(variant.name)?.push(performance.now() - start);
          if (encoding !== "?") encodings.get(variant.name)?.add(encoding);
        }
      }
    }
  } finally {
    await plainClient.deleteCollection(COLLECTION);
    agent.destroy();
  }
  const rows: Row[] = VARIANTS.map((variant) => {
    const ms = samples.get(variant.name) ?? [];
    return {
      client: variant.name,
      "answer encoding": [...(encodings.get(variant.name) ?? [])].join(", ") || "(not read)",
      requests: String(ms.length),
      "p50 ms": percentile(ms, 50),
      "p99 ms": percentile(ms, 99),
      "over 20 ms": String(ms.filter((value) => value > 20).length),
    };
  });
  printTable(
    `points/query, limit 20 with payload, ${ROUNDS} × ${REQUESTS} back-to-back requests per client`,
    rows,
  );
  writeResult("qdrant-latency", { rounds: ROUNDS, requests: REQUESTS, points: POINTS, rows });
}

await main();
