import { afterAll, expect, test } from "bun:test";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { HttpReranker } from "../src/rerank/http.ts";
import { testGateway } from "./app-fixture.ts";

// A rerank server on 127.0.0.1 (the shape Cohere, Jina and TEI answer) whose behaviour each test
// sets: by default it ranks documents that mention "quarterly" first.
let answer: (body: { query: string; documents: string[] }) => Response | Promise<Response>;
const asked: { query: string; documents: string[] }[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = (await request.json()) as { query: string; documents: string[] };
    asked.push(body);
    return answer(body);
  },
});
afterAll(() => server.stop(true));
const byQuarterly = ({ documents }: { documents: string[] }) =>
  Response.json({
    results: documents
      .map((d, index) => ({
        index,
        relevance_score: d.includes("quarterly") ? 0.9 : 0.1 / (index + 1),
      }))
      .sort((a, b) => b.relevance_score - a.relevance_score),
  });

const T = { authorization: "Bearer tenant-a:user-1" };
type Answer = { hits: { id: string; score: number; rerankScore?: number }[]; reranked?: boolean };

async function gateway() {
  const g = await testGateway({
    rerank: {
      reranker: new HttpReranker({ url: `http://127.0.0.1:${server.port}/rerank` }),
      candidates: 20,
      timeoutMs: 1_000,
    },
  });
  const titles = [
    "Report the numbers",
    "Report the numbers again",
    "Report the quarterly numbers",
    "Other report",
  ];
  const events = titles.map((title, i) =>
    makeEvent("task.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id: `t-${i}`, tenantId: "tenant-a", title, description: "", status: "open" },
    }),
  );
  const batch = encodeHttpBatch(events);
  const stored = await g.app.request("http://localhost/events", {
    method: "POST",
    headers: { authorization: "Bearer ingest-secret", "content-type": batch.contentType },
    body: batch.body,
  });
  expect(stored.status).toBe(200);
  const search = async (query: string) => {
    const response = await g.app.request(`http://localhost/search?type=tasks&${query}`, {
      headers: T,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };
  const fallbacks = async () =>
    (
      await g.metrics.registry.getSingleMetric("ai_gateway_rerank_fallbacks_total")?.get()
    )?.values.map((v) => [v.labels.reason, v.value]);
  return { search, fallbacks };
}

test("the fused candidates are reranked and the best `limit` answered, each with its rerank score", async () => {
  answer = byQuarterly;
  const { search } = await gateway();
  const fused = await search("q=report%20numbers&limit=2&rerank=false");
  expect(fused.reranked).toBe(false);
  expect(fused.hits.map((h) => h.id)).not.toContain("t-2");
  const reranked = await search("q=report%20numbers&limit=2");
  expect(reranked.reranked).toBe(true);
  expect(reranked.hits).toHaveLength(2);
  expect(reranked.hits[0]).toMatchObject({ id: "t-2", rerankScore: 0.9 });
  // The reranker read the query and every candidate's text, not just `limit` of them.
  expect(asked.at(-1)?.query).toBe("report numbers");
  expect(asked.at(-1)?.documents.length).toBeGreaterThanOrEqual(3);
  // `score` stays the mode's, so minScore keeps its meaning.
  expect(reranked.hits[0]?.score).toBeLessThanOrEqual(1);
});

test("a failing reranker answers 200 in the fused order, counted as a fallback", async () => {
  answer = () => Response.json({ error: "overloaded" }, { status: 503 });
  const { search, fallbacks } = await gateway();
  const fused = await search("q=report%20numbers&limit=2&rerank=false");
  const out = await search("q=report%20numbers&limit=2");
  expect(out.reranked).toBe(false);
  expect(out.hits.map((h) => h.id)).toEqual(fused.hits.map((h) => h.id));
  expect(out.hits.every((h) => h.rerankScore === undefined)).toBe(true);
  expect(await fallbacks()).toEqual([["error", 1]]);
});

test("a reranker slower than RERANK_TIMEOUT_MS is not waited for", async () => {
  answer = async (body) => {
    await Bun.sleep(3_000);
    return byQuarterly(body);
  };
  const { search, fallbacks } = await gateway();
  const out = await search("q=report%20numbers&limit=2");
  expect(out.reranked).toBe(false);
  expect(await fallbacks()).toEqual([["timeout", 1]]);
});

test("rerank must be true or false", async () => {
  answer = byQuarterly;
  const g = await testGateway();
  const response = await g.app.request("http://localhost/search?q=x&rerank=maybe", { headers: T });
  expect(response.status).toBe(400);
  expect(JSON.stringify(await response.json())).toContain("rerank");
});

test("a long text is reranked by its best chunk, not its whole text", async () => {
  answer = byQuarterly;
  const g = await testGateway({
    rerank: {
      reranker: new HttpReranker({ url: `http://127.0.0.1:${server.port}/rerank` }),
      candidates: 20,
      timeoutMs: 1_000,
    },
  });
  const prose = "Collect the report numbers from every team lead before Friday. ";
  const description = `${prose.repeat(60)}Then file the quarterly summary.`.slice(-4000);
  const events = [
    makeEvent("task.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id: "t-long", tenantId: "tenant-a", title: "Numbers", description, status: "open" },
    }),
    makeEvent("task.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id: "t-2", tenantId: "tenant-a", title: "Summary", description: "", status: "open" },
    }),
  ];
  const batch = encodeHttpBatch(events);
  await g.app.request("http://localhost/events", {
    method: "POST",
    headers: { authorization: "Bearer ingest-secret", "content-type": batch.contentType },
    body: batch.body,
  });
  const response = await g.app.request("http://localhost/search?type=tasks&q=quarterly%20summary", {
    headers: T,
  });
  const body = (await response.json()) as Answer & { hits: { highlight?: { text: string } }[] };
  expect(body.reranked).toBe(true);
  expect(body.hits[0]?.id).toBe("t-long");
  const document = asked.at(-1)?.documents.find((d) => d.includes("quarterly")) ?? "";
  expect(document).toBe(body.hits[0]?.highlight?.text ?? "no highlight");
  expect(document.length).toBeLessThanOrEqual(1000);
  expect(document).toContain("quarterly summary");
});
