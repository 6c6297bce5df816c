import { afterAll, beforeAll, expect, test } from "bun:test";
import { HttpReranker } from "../../ai-gateway/src/rerank/http.ts";
import { MODEL_DIMS, MODEL_NAME, type ModelServer, startModelServer } from "../../scripts/model.ts";
import { describeModel } from "../model-server.ts";
import { request } from "./api.ts";
import * as stack from "./stack.ts";
import { createTask } from "./task-api.ts";

async function embed(url: string, input: string[]): Promise<number[][]> {
  const response = await fetch(`${url}/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL_NAME, input }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
  return body.data.sort((a, b) => a.index - b.index).map((item) => item.embedding);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

describeModel("all-MiniLM-L6-v2 on the CPU (bun run model:serve)", (install) => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer(install);
  });
  afterAll(async () => {
    await stack.stopAll();
    await server?.stop();
  });

  test("gives the vectors sentence-transformers gives (its published similarity figures)", async () => {
    // sentence-transformers' quick-start prints these similarities for all-MiniLM-L6-v2:
    // 0.6660, 0.1046 and 0.1411. A wrong tokenizer, pooling or layer would move them.
    const [weather, sunny, stadium] = await embed(server.url, [
      "The weather is lovely today.",
      "It's so sunny outside!",
      "He drove to the stadium.",
    ]);
    if (!weather || !sunny || !stadium) throw new Error("three vectors expected");
    expect(weather).toHaveLength(MODEL_DIMS);
    expect(dot(weather, weather)).toBeCloseTo(1, 4);
    expect(dot(weather, sunny)).toBeCloseTo(0.666, 3);
    expect(dot(weather, stadium)).toBeCloseTo(0.1046, 3);
    expect(dot(sunny, stadium)).toBeCloseTo(0.1411, 3);
  });

  test("refuses bad input with an OpenAI-style error instead of a vector", async () => {
    const response = await fetch(`${server.url}/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL_NAME, input: [42] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "input",
    );
  });

  test("answers the rerank API (Cohere's shape) with the closest document first", async () => {
    const reranker = new HttpReranker({ url: `${server.url}/rerank`, model: MODEL_NAME });
    const documents = [
      "Fix the flaky login test on Safari",
      "Plan the team offsite in March",
      "Renew the TLS certificate",
    ];
    const ranked = await reranker.rerank("organise a company retreat", documents);
    expect(ranked.map((r) => r.index)).toHaveLength(3);
    expect(ranked[0]?.index).toBe(1);
    expect(ranked[0]?.score).toBeGreaterThan(ranked[1]?.score ?? 1);
  });

  test("through the gateway, a task is found by a paraphrase that shares no word with it", async () => {
    const config = stack.stackConfig();
    const env = {
      EMBEDDINGS_URL: server.url,
      EMBEDDINGS_MODEL: MODEL_NAME,
      EMBEDDING_DIMS: String(MODEL_DIMS),
    };
    const gateway = await stack.startGateway(config, env);
    const users = await stack.startUserService(config);
    const tasks = await stack.startTaskService(config, { USER_SERVICE_URL: users.url });
    const titles = [
      "Renew the TLS certificate of the billing API",
      "Plan the team offsite in March",
      "Fix the flaky login test on Safari",
      "Write the quarterly investor update",
      "Migrate the invoices table to Postgres",
    ];
    const created = [];
    for (const title of titles) created.push(await createTask(tasks.url, "tenant-m", { title }));
    await stack.pointsReaching(
      gateway.url,
      "tenant-m",
      titles.length,
      60_000,
      () => gateway.lines.slice(-10).join("\n"),
      "tasks",
    );
    const queries: [string, number][] = [
      ["organise a company retreat", 1],
      ["browser sign-in check keeps failing intermittently", 2],
      ["letter to shareholders about the last three months", 3],
      ["move billing records into a relational database", 4],
    ];
    // By meaning alone (mode=vector): "billing" in the last query is a word of another task,
    // which hybrid search would rightly weigh too.
    for (const [query, expected] of queries) {
      const { status, json } = await request(
        "GET",
        `${gateway.url}/search?type=tasks&mode=vector&limit=3&q=${encodeURIComponent(query)}`,
        "tenant-m",
      );
      expect(status).toBe(200);
      const hits = (json as { hits: { id: string }[] }).hits;
      expect({ query, top: hits[0]?.id }).toEqual({ query, top: created[expected]?.id });
    }
  }, 120_000);
});
