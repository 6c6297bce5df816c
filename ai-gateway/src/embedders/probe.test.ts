import { afterAll, expect, test } from "bun:test";
import { EmbeddingsServer } from "../../test/embeddings-server.ts";
import { EmbedderHealth } from "./health.ts";
import { OpenAiEmbedder } from "./openai.ts";
import { embedderProbe } from "./probe.ts";

const server = new EmbeddingsServer(8);
afterAll(() => server.stop());

/** An embedder of `server` and the probe `/readyz` would run, sharing one health record. */
function probed(options: { dims?: number; heardWithinMs?: number; timeoutMs?: number } = {}) {
  const health = new EmbedderHealth();
  const embedder = new OpenAiEmbedder({
    url: server.url,
    model: "m",
    dims: options.dims ?? 8,
    timeoutMs: options.timeoutMs ?? 30_000,
    health,
  });
  const probe = embedderProbe(embedder, health, { heardWithinMs: options.heardWithinMs });
  /** One `/readyz` poll with a 300 ms bound: "ok", or why it failed. */
  const poll = async () => {
    const signal = AbortSignal.timeout(300);
    const bounded = new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new Error("timed out"))),
    );
    return Promise.race([probe(signal), bounded]).then(
      () => "ok",
      (e: unknown) => String(e),
    );
  };
  return { embedder, poll };
}

const reset = () => {
  server.requests.length = 0;
  server.textsPerSecond = null;
  server.delayMs = () => 0;
  server.start();
};

test("readiness polls share one probe request, and an answer vouches for the server a while", async () => {
  reset();
  const { poll } = probed();
  expect(await Promise.all([poll(), poll(), poll()])).toEqual(["ok", "ok", "ok"]);
  expect(await poll()).toBe("ok");
  expect(server.requests).toHaveLength(1);
});

test("a wrong vector size fails the probe, naming both sizes for the log", async () => {
  reset();
  const { poll } = probed({ dims: 16 });
  expect(await poll()).toMatch(/8 dimensions, expected 16/);
});

test("a server busy with a long batch is ready: no probe queues behind the batch and times out", async () => {
  reset();
  const { embedder, poll } = probed({ heardWithinMs: 50 });
  await embedder.embed(["warm-up"]);
  // A single worker at 4 texts/s: the next 8 texts keep it busy for 2 s.
  server.textsPerSecond = 4;
  const batch = embedder.embed(Array.from({ length: 8 }, (_, i) => `text ${i}`));
  await Bun.sleep(200);
  const sent = server.requests.length;
  expect(await poll()).toBe("ok");
  expect(await poll()).toBe("ok");
  expect(server.requests).toHaveLength(sent);
  expect(await batch).toHaveLength(8);
});

test("a failure shows at the next poll, and a recovery clears it at the next poll", async () => {
  reset();
  const { embedder, poll } = probed();
  expect(await poll()).toBe("ok");
  server.stop();
  // A batch failed just after the server answered: no earlier answer hides it.
  await embedder.embed(["a"]).catch(() => {});
  expect(await poll()).toMatch(/embeddings request failed/);
  server.start();
  expect(await poll()).toBe("ok");
});
