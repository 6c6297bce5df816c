// bench:quality — how well search finds what a user means, on the labelled set of
// bench/quality/set.ts (80 users, 180 tasks, 200 queries of four kinds), for each retrieval
// mode (vector, keyword, hybrid with relative fusion and with RRF), with the hashing embedder and with a real model
// (all-MiniLM-L6-v2 from `bun run model:serve`, skipped with a line when it cannot be installed),
// on sqlite-vec and, when QDRANT_URL is set, on that Qdrant. Prints recall@1, recall@10 and MRR
// per kind, the filter checks (hits that break the filter; recall@10 against brute force over
// the entities that satisfy it) and p50/p99 latency per mode. `bun run bench:quality`.
// Env: QDRANT_URL (+ QDRANT_API_KEY), EMBEDDERS ("hashing,model").

import { HashingEmbedder } from "../ai-gateway/src/embedders/hashing.ts";
import { chunkText } from "../ai-gateway/src/vectors/chunks.ts";
import { cosine } from "../ai-gateway/test/qdrant-double.ts";
import { encodeHttpBatch, makeEvent } from "../contracts/src/index.ts";
import { taskText } from "../contracts/src/registry.ts";
import { ensureModel, MODEL_DIMS, MODEL_NAME, startModelServer } from "../scripts/model.ts";
import { qdrantEnv, qdrantTarget } from "./lib/qdrant-target.ts";
import { machine, percentile, printTable, progress, type Row, writeResult } from "./lib/report.ts";
import { cleanup, launch, onCleanup, tempDir } from "./lib/stack.ts";
import { type QualityQuery, type QualityTask, type QueryKind, qualitySet } from "./quality/set.ts";

const TENANT = "quality";
const AUTH = { authorization: `Bearer ${TENANT}:bench` };
const MODES = ["vector", "keyword", "hybrid", "hybrid (rrf)", "hybrid+rerank"] as const;
const KINDS: readonly QueryKind[] = ["paraphrase", "exact", "filtered", "long"];
type Mode = (typeof MODES)[number];

interface Hit {
  id: string;
  data: Record<string, unknown>;
}

interface EmbedderCase {
  name: string;
  env: Record<string, string>;
  /** RERANK_URL for the "hybrid+rerank" rows; none → those rows are left out. */
  rerankUrl?: string;
  /** Embeds texts as the gateway does, for the brute-force check of filtered queries. */
  embed: (texts: string[]) => Promise<Float32Array[]>;
}

const set = qualitySet();
const ingestToken = crypto.randomUUID();

/** Sends the whole set through POST /events; a 2xx means stored (the ingest answers after the store). */
async function ingest(gatewayUrl: string): Promise<void> {
  const events = [
    ...set.users.map((u) =>
      makeEvent("user.created", {
        tenantId: TENANT,
        source: "urn:bench:quality",
        data: { ...u, tenantId: TENANT },
      }),
    ),
    ...set.tasks.map((t) =>
      makeEvent("task.created", {
        tenantId: TENANT,
        source: "urn:bench:quality",
        data: { ...t, tenantId: TENANT },
      }),
    ),
  ];
  for (let i = 0; i < events.length; i += 50) {
    const batch = encodeHttpBatch(events.slice(i, i + 50));
    const response = await fetch(`${gatewayUrl}/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestToken}`, "content-type": batch.contentType },
      body: batch.body,
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`POST /events answered ${response.status}: ${body}`);
    if (body.includes('"deadLettered":[{'))
      throw new Error(`events dead-lettered: ${body.slice(0, 500)}`);
  }
}

async function search(gatewayUrl: string, query: QualityQuery, mode: Mode): Promise<Hit[]> {
  const params = new URLSearchParams({
    q: query.q,
    type: query.type,
    mode: mode.startsWith("hybrid") ? "hybrid" : mode,
    fusion: mode === "hybrid (rrf)" ? "rrf" : "relative",
    rerank: String(mode === "hybrid+rerank"),
    limit: "10",
    minScore: "-1",
  });
  for (const [field, value] of Object.entries(query.filter ?? {}))
    params.append("filter", `${field}:${value}`);
  const response = await fetch(`${gatewayUrl}/search?${params}`, { headers: AUTH });
  const body = (await response.json()) as { hits?: Hit[] };
  if (response.status !== 200 || !Array.isArray(body.hits)) {
    throw new Error(`GET /search?${params} answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.hits;
}

const satisfies = (task: QualityTask | Record<string, unknown>, filter: QualityQuery["filter"]) =>
  Object.entries(filter ?? {}).every(
    ([field, value]) => String(Reflect.get(task, field)) === value,
  );

/** Each embedder's vectors of the tasks' texts and chunks, embedded once for every query. */
const embedded = new Map<EmbedderCase, Map<string, Float32Array>>();

/**
 * The ten tasks an exhaustive cosine scan over the tasks that satisfy the filter ranks first.
 * Texts are cut as the gateway cuts them (a text longer than a chunk is scored by its best
 * chunk, default CHUNK_CHARS / CHUNK_OVERLAP), so the scan and the store rank the same vectors.
 */
async function bruteForce(embedder: EmbedderCase, query: QualityQuery): Promise<string[]> {
  const qualifying = set.tasks.filter((task) => satisfies(task, query.filter));
  // chunkText answers the whole text as one chunk when it fits.
  const piecesOf = qualifying.map((task) => chunkText(taskText(task)).map((c) => c.text));
  const known = embedded.get(embedder) ?? new Map<string, Float32Array>();
  embedded.set(embedder, known);
  const missing = [...new Set(piecesOf.flat())].filter((text) => !known.has(text));
  const [q, ...vectors] = await embedder.embed([query.q, ...missing]);
  if (!q) return [];
  for (const [i, text] of missing.entries()) known.set(text, vectors[i] as Float32Array);
  return qualifying
    .map((task, i) => {
      const pieces = (piecesOf[i] ?? []).map((text) => known.get(text) as Float32Array);
      return { id: task.id, score: Math.max(...pieces.map((v) => cosine(q, v))) };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, 10)
    .map((hit) => hit.id);
}

async function embedders(): Promise<EmbedderCase[]> {
  const wanted = (process.env.EMBEDDERS ?? "hashing,model").split(",");
  const cases: EmbedderCase[] = [];
  if (wanted.includes("hashing")) {
    const hashing = new HashingEmbedder(384);
    cases.push({ name: "hashing", env: {}, embed: (texts) => hashing.embed(texts) });
  }
  if (wanted.includes("model")) {
    const install = ensureModel();
    if (!install.ok) {
      progress(`real model skipped: ${install.reason}`);
    } else {
      const server = await startModelServer(install);
      onCleanup(() => server.stop());
      cases.push({
        name: "all-MiniLM-L6-v2",
        env: {
          EMBEDDINGS_URL: server.url,
          EMBEDDINGS_MODEL: MODEL_NAME,
          EMBEDDING_DIMS: String(MODEL_DIMS),
        },
        // The model server's /rerank scores by its bi-encoder's cosine: it runs the rerank
        // path end to end; a cross-encoder server (RERANK_URL) is what changes the order.
        rerankUrl: process.env.RERANK_URL ?? `${server.url}/rerank`,
        embed: async (texts) => {
          const response = await fetch(`${server.url}/embeddings`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: MODEL_NAME, input: texts }),
          });
          const body = (await response.json()) as {
            data: { index: number; embedding: number[] }[];
          };
          return body.data
            .sort((a, b) => a.index - b.index)
            .map((d) => Float32Array.from(d.embedding));
        },
      });
    }
  }
  return cases;
}

function stores(): { name: string; env: Record<string, string> }[] {
  // QDRANT_URL empty: the services inherit this process's environment, and a sqlite-vec gateway
  // given the Qdrant's address would store in that Qdrant (its default collections, shared
  // across runs) instead.
  const list = [{ name: "sqlite-vec", env: { QDRANT_URL: "" } as Record<string, string> }];
  const qdrant = qdrantTarget("quality");
  if (qdrant) list.push({ name: "qdrant", env: qdrantEnv(qdrant) });
  else progress("Qdrant rows skipped: set QDRANT_URL to a Qdrant to measure them");
  return list;
}

interface KindScore {
  recallAt1: number;
  recallAt10: number;
  mrr: number;
}

const loadBefore = machine().loadAverage;
const rows: Row[] = [];
const filterRows: Row[] = [];
const latencyRows: Row[] = [];
const results: Record<string, unknown>[] = [];
try {
  const byId = new Map<string, unknown>([...set.users, ...set.tasks].map((e) => [e.id, e]));
  progress(
    `set: ${set.users.length} users, ${set.tasks.length} tasks, ${set.queries.length} queries`,
  );
  for (const embedder of await embedders()) {
    for (const store of stores()) {
      const gateway = await launch("ai-gateway", {
        DATA_DIR: tempDir("quality"),
        INGEST_TOKEN: ingestToken,
        AUTH_MODE: "dev",
        LOG_LEVEL: "warn",
        ...embedder.env,
        ...store.env,
        // The model server reranks on this CPU: 20 candidates within 10 s, so the rows measure
        // its order, not the fallback a production timeout would take.
        ...(embedder.rerankUrl
          ? { RERANK_URL: embedder.rerankUrl, RERANK_CANDIDATES: "20", RERANK_TIMEOUT_MS: "10000" }
          : {}),
      });
      progress(`${embedder.name} on ${store.name}: ingesting`);
      await ingest(gateway.url);
      for (const mode of MODES.filter((m) => m !== "hybrid+rerank" || embedder.rerankUrl)) {
        const latencies: number[] = [];
        const perKind = new Map<
          QueryKind,
          { found1: number; found10: number; rr: number; n: number }
        >();
        let violations = 0;
        let filteredHits = 0;
        let bruteOverlap = 0;
        let bruteTotal = 0;
        for (const query of set.queries) {
          const started = performance.now();
          const hits = await search(gateway.url, query, mode);
          latencies.push(performance.now() - started);
          const found = new Set([query.expected, ...(query.same ?? [])]);
          const rank = hits.findIndex((hit) => found.has(hit.id));
          const kind = perKind.get(query.kind) ?? { found1: 0, found10: 0, rr: 0, n: 0 };
          kind.n++;
          if (rank === 0) kind.found1++;
          if (rank >= 0) {
            kind.found10++;
            kind.rr += 1 / (rank + 1);
          }
          perKind.set(query.kind, kind);
          if (query.filter) {
            filteredHits += hits.length;
            violations += hits.filter((hit) => !satisfies(hit.data, query.filter)).length;
            if (mode === "vector") {
              const truth = await bruteForce(embedder, query);
              bruteTotal += truth.length;
              bruteOverlap += truth.filter((id) => hits.some((hit) => hit.id === id)).length;
            }
          }
          if (!byId.has(query.expected)) throw new Error(`no entity ${query.expected}`);
        }
        const scores: Record<string, KindScore> = {};
        const row: Row = { embedder: embedder.name, store: store.name, mode };
        for (const name of KINDS) {
          const k = perKind.get(name);
          if (!k) continue;
          scores[name] = {
            recallAt1: k.found1 / k.n,
            recallAt10: k.found10 / k.n,
            mrr: k.rr / k.n,
          };
          row[`${name} R@1`] = k.found1 / k.n;
          row[`${name} R@10`] = k.found10 / k.n;
          row[`${name} MRR`] = k.rr / k.n;
        }
        rows.push(row);
        filterRows.push({
          embedder: embedder.name,
          store: store.name,
          mode,
          "hits of filtered queries": filteredHits,
          "hits that break the filter": violations,
          ...(mode === "vector"
            ? { "R@10 vs brute force": bruteTotal ? bruteOverlap / bruteTotal : Number.NaN }
            : {}),
        });
        latencyRows.push({
          embedder: embedder.name,
          store: store.name,
          mode,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
        });
        results.push({
          embedder: embedder.name,
          store: store.name,
          mode,
          scores,
          filter: {
            hits: filteredHits,
            violations,
            ...(mode === "vector"
              ? { bruteForceRecallAt10: bruteTotal ? bruteOverlap / bruteTotal : null }
              : {}),
          },
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
        });
        progress(`${embedder.name} on ${store.name}, ${mode}: done`);
      }
      await gateway.stop(10_000);
    }
  }
  printTable("bench:quality — recall@1, recall@10 and MRR per kind of query", rows);
  printTable("bench:quality — filtered queries", filterRows);
  printTable("bench:quality — latency over HTTP (one query at a time)", latencyRows);
  writeResult("quality", {
    set: { users: set.users.length, tasks: set.tasks.length, queries: set.queries.length },
    loadBefore,
    results,
  });
} finally {
  await cleanup();
}
