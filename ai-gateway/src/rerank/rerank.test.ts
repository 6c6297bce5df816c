import { afterAll, describe, expect, test } from "bun:test";
import { createLogger } from "@event-mesh/service-kit";
import { Counter, Registry } from "prom-client";
import { type RerankStep, rerankHits } from "./apply.ts";
import { HttpReranker, readRanking } from "./http.ts";

/** A rerank server on 127.0.0.1 whose behaviour each test sets. */
let answer: (body: { query: string; documents: string[] }) => Promise<Response> | Response = () =>
  Response.json({ results: [] });
const requests: unknown[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = (await request.json()) as { query: string; documents: string[] };
    requests.push(body);
    return answer(body);
  },
});
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}/v1/rerank`;

function step(timeoutMs = 2_000): RerankStep & { registry: Registry } {
  const registry = new Registry();
  return {
    reranker: new HttpReranker({ url, model: "test-reranker" }),
    candidates: 4,
    timeoutMs,
    fallbacks: new Counter({
      name: "fallbacks",
      help: "h",
      labelNames: ["reason"],
      registers: [registry],
    }),
    logger: createLogger({ name: "test", level: "silent" }),
    registry,
  };
}
const fallbacks = async (s: { registry: Registry }) =>
  (await s.registry.getSingleMetric("fallbacks")?.get())?.values.map((v) => [
    v.labels.reason,
    v.value,
  ]);

const hits = ["alpha", "bravo", "charlie", "delta", "echo"].map((text, i) => ({
  id: String(i),
  text,
}));

describe("readRanking", () => {
  test("reads Cohere/Jina results and TEI's list, best first", () => {
    expect(
      readRanking(
        {
          results: [
            { index: 1, relevance_score: 0.2 },
            { index: 0, relevance_score: 0.9 },
          ],
        },
        2,
      ),
    ).toEqual([
      { index: 0, score: 0.9 },
      { index: 1, score: 0.2 },
    ]);
    expect(
      readRanking(
        [
          { index: 0, score: 0.1 },
          { index: 1, score: 0.7 },
        ],
        2,
      ),
    ).toEqual([
      { index: 1, score: 0.7 },
      { index: 0, score: 0.1 },
    ]);
  });

  test("refuses an answer that points outside the documents or twice at one", () => {
    expect(readRanking({ results: [{ index: 5, relevance_score: 1 }] }, 2)).toBeNull();
    expect(
      readRanking(
        [
          { index: 0, score: 1 },
          { index: 0, score: 0.5 },
        ],
        2,
      ),
    ).toBeNull();
    expect(readRanking({ hits: [] }, 2)).toBeNull();
  });
});

describe("rerankHits against a rerank server", () => {
  test("orders the candidates as the server says and keeps the rest out of the top", async () => {
    answer = ({ documents }) =>
      Response.json({
        results: documents.map((d, index) => ({
          index,
          relevance_score: d === "delta" ? 0.99 : 0.1 / (index + 1),
        })),
      });
    const s = step();
    const out = await rerankHits(s, "d", hits, (h) => h.text, 3);
    expect(out.reranked).toBe(true);
    expect(out.hits.map((h) => h.text)).toEqual(["delta", "alpha", "bravo"]);
    // Only the first RERANK_CANDIDATES (4) went to the server, with the query.
    expect(requests.at(-1)).toMatchObject({
      query: "d",
      documents: ["alpha", "bravo", "charlie", "delta"],
      model: "test-reranker",
    });
    expect(await fallbacks(s)).toEqual([]);
  });

  test("a server error falls back to the fused order, counted and never thrown", async () => {
    answer = () => Response.json({ error: "overloaded" }, { status: 503 });
    const s = step();
    const out = await rerankHits(s, "d", hits, (h) => h.text, 3);
    expect(out).toEqual({ hits: hits.slice(0, 3), scores: null, reranked: false });
    expect(await fallbacks(s)).toEqual([["error", 1]]);
  });

  test("a slow server falls back once RERANK_TIMEOUT_MS has passed", async () => {
    answer = async () => {
      await Bun.sleep(2_000);
      return Response.json({ results: [] });
    };
    const s = step(100);
    const out = await rerankHits(s, "d", hits, (h) => h.text, 2);
    expect(out.hits.map((h) => h.id)).toEqual(["0", "1"]);
    expect(await fallbacks(s)).toEqual([["timeout", 1]]);
  });

  test("a forged answer (an index it was never given) falls back instead of inventing a hit", async () => {
    answer = () => Response.json({ results: [{ index: 40, relevance_score: 1 }] });
    const s = step();
    const out = await rerankHits(s, "d", hits, (h) => h.text, 5);
    expect(out.hits).toEqual(hits);
    expect(await fallbacks(s)).toEqual([["error", 1]]);
  });
});
