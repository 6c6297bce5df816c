import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EmbeddingsServer } from "../../test/embeddings-server.ts";
import { GatewayError, WrongDimsError } from "../errors.ts";
import { Refused } from "./index.ts";
import { cut, OpenAiEmbedder } from "./openai.ts";

interface Seen {
  auth: string | null;
  body: unknown;
}

/** A tiny OpenAI-compatible server; `mode` decides how the next requests are answered. */
let mode: "ok" | "rate-limit-once" | "wrong-dims" | "nan" | "missing" | "error" = "ok";
let rateLimited = 0;
const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname !== "/v1/embeddings")
        return new Response("no", { status: 404 });
      const body = (await request.json()) as { input: string[] };
      seen.push({ auth: request.headers.get("authorization"), body });
      if (mode === "rate-limit-once" && rateLimited++ === 0) {
        return new Response("slow down", { status: 429, headers: { "retry-after": "0" } });
      }
      if (mode === "error") return new Response("boom", { status: 500 });
      const dims = mode === "wrong-dims" ? 3 : 4;
      const data = body.input.map((text, index) => ({
        object: "embedding",
        index,
        embedding:
          mode === "nan"
            ? [null, 0, 0, 0]
            : Array.from({ length: dims }, (_, i) => text.length + i),
      }));
      // Answer out of order: the client must sort by index.
      return Response.json({
        object: "list",
        data: mode === "missing" ? data.slice(1) : data.reverse(),
      });
    },
  });
});
afterAll(() => server.stop(true));

function embedder(batchMax = 100) {
  return new OpenAiEmbedder({
    url: `http://127.0.0.1:${server.port}/v1`,
    model: "test-model",
    apiKey: "sk-test",
    dims: 4,
    batchMax,
  });
}

describe("OpenAiEmbedder", () => {
  test("sends one request per batch and returns vectors in input order", async () => {
    mode = "ok";
    seen.length = 0;
    const vectors = await embedder().embed(["a", "bbb", "cc"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.auth).toBe("Bearer sk-test");
    expect(seen[0]?.body).toEqual({
      model: "test-model",
      input: ["a", "bbb", "cc"],
      encoding_format: "float",
    });
    expect(vectors.map((vector) => (vector instanceof Float32Array ? vector[0] : -1))).toEqual([
      1, 3, 2,
    ]);
  });

  test("splits a batch larger than the configured maximum", async () => {
    mode = "ok";
    seen.length = 0;
    const vectors = await embedder(2).embed(["a", "b", "c", "d", "e"]);
    expect(seen).toHaveLength(3);
    expect(vectors).toHaveLength(5);
  });

  test("waits and retries after a 429 with Retry-After", async () => {
    mode = "rate-limit-once";
    rateLimited = 0;
    seen.length = 0;
    const vectors = await embedder().embed(["a"]);
    expect(seen).toHaveLength(2);
    expect(vectors).toHaveLength(1);
  });

  test("a wrong vector size is a WrongDimsError naming both sizes", async () => {
    mode = "wrong-dims";
    const error = await embedder()
      .embed(["a"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongDimsError);
    expect(error).toMatchObject({ got: 3, expected: 4 });
  });

  for (const [bad, why] of [
    ["wrong-dims", /3 dimensions, expected 4/],
    ["nan", /not \{ data/],
    ["missing", /vectors for/],
    ["error", /answered 500/],
  ] as const) {
    test(`refuses a ${bad} response`, async () => {
      mode = bad;
      const error = await embedder()
        .embed(["a", "b"])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect(String((error as Error).message)).toMatch(why);
    });
  }
});

describe("OpenAiEmbedder against a slow or refusing server", () => {
  const server = new EmbeddingsServer(8);
  afterAll(() => server.stop());
  const make = (options: { model?: string; maxChars?: number } = {}) =>
    new OpenAiEmbedder({
      url: server.url,
      model: options.model ?? "all-minilm",
      dims: 8,
      timeoutMs: 150,
      ...(options.maxChars ? { maxChars: options.maxChars } : {}),
    });
  const reset = () => {
    server.requests.length = 0;
    server.hangs = () => false;
    server.tooLarge = () => false;
  };

  test("a request that times out is sent again in smaller parts once a probe passes, down to the one text at fault, which is refused", async () => {
    reset();
    server.hangs = (input) => input.includes("stuck");
    const texts = ["a", "b", "c", "stuck", "e", "f", "g", "h"];
    const out = await make().embed(texts);
    expect(out.map((item) => (item instanceof Refused ? "refused" : "vector"))).toEqual([
      "vector",
      "vector",
      "vector",
      "refused",
      "vector",
      "vector",
      "vector",
      "vector",
    ]);
    expect(String((out[3] as Refused).reason)).toMatch(/took over 150 ms/);
    // After each timeout a probe first (the server may still be computing the abandoned
    // request), then the texts again in smaller requests, growing back while answers come.
    expect(server.requests.map((r) => r.input.join(""))).toEqual([
      "abcstuckefgh",
      "probe",
      "ab",
      "cstuckef",
      "probe",
      "c",
      "stucke",
      "probe",
      "stuck",
      "probe",
      "e",
      "f",
      "gh",
    ]);
  });

  test("a request answered 413 is sent in halves, and no later request is as large; nothing is refused", async () => {
    reset();
    server.tooLarge = (input) => input.length > 2;
    const embedder = make();
    const out = await embedder.embed(["a", "b", "c", "d", "e"]);
    expect(out.every((item) => item instanceof Float32Array)).toBe(true);
    await embedder.embed(["f", "g", "h"]);
    expect(server.requests.map((r) => r.input.length)).toEqual([5, 2, 2, 1, 2, 1]);
  });

  test("one text answered 413 on its own is refused, even when nothing else passed", async () => {
    reset();
    server.tooLarge = (input) => input.includes("huge");
    const [only] = await make().embed(["huge"]);
    expect(only).toBeInstanceOf(Refused);
    expect(String((only as Refused).reason)).toMatch(/413/);
  });

  test("a server that answers nothing fails the call instead of refusing every text", async () => {
    reset();
    server.hangs = () => true;
    const error = await make()
      .embed(["a", "b", "c", "d"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(String((error as Error).message)).toMatch(/took over 150 ms/);
  });

  test("a lone slow text is refused when a tiny probe text still passes", async () => {
    reset();
    server.hangs = (input) => input.includes("stuck");
    const [only] = await make().embed(["stuck"]);
    expect(only).toBeInstanceOf(Refused);
    expect(server.requests.map((r) => r.input)).toEqual([["stuck"], ["probe"]]);
  });

  test("an abort (shutdown) abandons the request in flight at once", async () => {
    reset();
    server.hangs = () => true;
    const controller = new AbortController();
    const slow = new OpenAiEmbedder({ url: server.url, model: "m", dims: 8, timeoutMs: 60_000 });
    const pending = slow.embed(["a", "b"], controller.signal).catch((e: unknown) => e);
    while (server.requests.length === 0) await Bun.sleep(5);
    controller.abort();
    expect(await pending).toMatchObject({ code: "shutting_down" });
    expect(server.requests).toHaveLength(1);
  });

  test("cuts every text to maxChars before sending it", async () => {
    reset();
    await make({ maxChars: 100 }).embed(["x".repeat(5000), "short"]);
    expect(server.requests[0]?.input.map((text) => text.length)).toEqual([100, 5]);
    expect(cut("ab😀", 3)).toBe("ab");
  });

  test("sends `dimensions` to text-embedding-3 models only", async () => {
    reset();
    await make({ model: "text-embedding-3-small" }).embed(["a"]);
    await make({ model: "all-minilm" }).embed(["a"]);
    expect(server.requests.map((r) => r.body.dimensions)).toEqual([8, undefined]);
  });
});

describe("OpenAiEmbedder against a single-worker model server", () => {
  // One request at a time at a fixed number of texts per second; an abandoned request is still
  // computed (what a small self-hosted deployment does).
  const server = new EmbeddingsServer(8);
  afterAll(() => server.stop());
  const texts = (n: number) => Array.from({ length: n }, (_, i) => `text number ${i}`);
  const run = async (rate: number, timeoutMs: number, n: number) => {
    server.requests.length = 0;
    server.computed = 0;
    server.textsPerSecond = rate;
    const embedder = new OpenAiEmbedder({ url: server.url, model: "m", dims: 8, timeoutMs });
    const out = await embedder.embed(texts(n));
    expect(out.every((item) => item instanceof Float32Array)).toBe(true);
    return server.computed;
  };

  test("requests are sized from the measured rate: the server computes the texts sent, not several times them", async () => {
    // 200 texts at 100/s take 2 s: one request of 200 would pass the 1 s timeout, and each half
    // sent after it would queue behind it and time out too.
    const computed = await run(100, 1_000, 200);
    expect(computed).toBeLessThanOrEqual(250);
    expect(Math.max(...server.requests.map((r) => r.input.length))).toBeLessThan(100);
  });

  test("after a timeout the server is let drain before anything is sent again", async () => {
    // The first request (16 texts at 20/s: 0.8 s) passes the 0.5 s timeout; the rest must not
    // queue behind it. At most that request and a few probes are computed in vain.
    const computed = await run(20, 500, 40);
    expect(computed).toBeLessThanOrEqual(40 + 16 + 4);
  });
});
