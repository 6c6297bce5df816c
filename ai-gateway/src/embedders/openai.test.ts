import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GatewayError } from "../errors.ts";
import { OpenAiEmbedder } from "./openai.ts";

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
    expect(vectors.map((vector) => vector[0])).toEqual([1, 3, 2]);
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
