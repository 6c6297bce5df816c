import { afterAll, expect, test } from "bun:test";
import { EmbeddingsServer } from "../../test/embeddings-server.ts";
import { OpenAiEmbedder } from "./openai.ts";
import { embedderProbe } from "./probe.ts";

const server = new EmbeddingsServer(8);
afterAll(() => server.stop());

test("readiness polls share one probe request and reuse its outcome", async () => {
  const embedder = new OpenAiEmbedder({ url: server.url, model: "m", dims: 8 });
  const probe = embedderProbe(embedder);
  const signal = new AbortController().signal;
  await Promise.all([probe(signal), probe(signal), probe(signal)]);
  await probe(signal);
  expect(server.requests).toHaveLength(1);
});

test("a wrong vector size fails the probe, naming both sizes for the log", async () => {
  const embedder = new OpenAiEmbedder({ url: server.url, model: "m", dims: 16 });
  const error = await embedderProbe(embedder)(new AbortController().signal).catch(
    (e: unknown) => e,
  );
  expect(String(error)).toMatch(/8 dimensions, expected 16/);
});
