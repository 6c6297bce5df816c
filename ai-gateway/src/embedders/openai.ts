import * as v from "valibot";
import { GatewayError } from "../errors.ts";
import type { Embedder } from "./index.ts";

/** Settings of an OpenAI-compatible `/embeddings` endpoint. */
export interface OpenAiEmbedderOptions {
  /** Base URL (`http://host/v1`) or the full `…/embeddings` URL. */
  url: string;
  /** Model name sent with every request. */
  model: string;
  /** Bearer token, if the server wants one. */
  apiKey?: string | undefined;
  /** Vector size the server must return. */
  dims: number;
  /** Most texts per request; larger batches are split. */
  batchMax?: number;
  /** Retries of a 429 before giving up (the pipeline then backs off on its own). */
  maxRateLimitRetries?: number;
  /** Longest honoured Retry-After, in ms. */
  maxRetryAfterMs?: number;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
}

const EmbeddingsResponse = v.object({
  data: v.array(v.object({ index: v.number(), embedding: v.array(v.number()) })),
});

/** Embeds through any server speaking the OpenAI embeddings API, one request per batch. */
export class OpenAiEmbedder implements Embedder {
  readonly dims: number;
  readonly name: string;
  readonly #endpoint: string;
  readonly #options: Required<Omit<OpenAiEmbedderOptions, "apiKey">> & { apiKey?: string };

  constructor(options: OpenAiEmbedderOptions) {
    this.dims = options.dims;
    this.name = `openai:${options.model}`;
    const base = options.url.replace(/\/+$/, "");
    this.#endpoint = base.endsWith("/embeddings") ? base : `${base}/embeddings`;
    this.#options = {
      url: options.url,
      model: options.model,
      dims: options.dims,
      batchMax: options.batchMax ?? 256,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 5,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#options.batchMax) {
      out.push(...(await this.#request(texts.slice(start, start + this.#options.batchMax))));
    }
    return out;
  }

  async #request(input: string[]): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.#post(input);
      if (response.status === 429 && attempt < this.#options.maxRateLimitRetries) {
        await Bun.sleep(this.#retryAfter(response.headers.get("retry-after"), attempt));
        continue;
      }
      if (!response.ok) {
        const retryAfter = response.headers.get("retry-after");
        throw new GatewayError(
          "embedder_failed",
          `embeddings server answered ${response.status}`,
          retryAfter === null ? undefined : this.#retryAfter(retryAfter, attempt),
        );
      }
      return this.#read(await response.json().catch(() => undefined), input.length);
    }
  }

  async #post(input: string[]): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    try {
      return await fetch(this.#endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: this.#options.model, input, encoding_format: "float" }),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      throw new GatewayError(
        "embedder_failed",
        `embeddings request failed: ${String(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  /** Retry-After is seconds or an HTTP date; without one, back off exponentially. */
  #retryAfter(header: string | null, attempt: number): number {
    let ms = Number.NaN;
    if (header !== null && /^\s*\d+(\.\d+)?\s*$/.test(header)) ms = Number(header) * 1000;
    else if (header !== null) ms = Date.parse(header) - Date.now();
    if (!Number.isFinite(ms) || ms < 0) ms = Math.min(100 * 2 ** attempt, 5_000);
    return Math.min(ms, this.#options.maxRetryAfterMs);
  }

  #read(body: unknown, expected: number): Float32Array[] {
    const parsed = v.safeParse(EmbeddingsResponse, body);
    if (!parsed.success) {
      throw new GatewayError(
        "embedder_bad_response",
        "embeddings response: not { data: [{ index, embedding }] }",
      );
    }
    const { data } = parsed.output;
    if (data.length !== expected) {
      throw new GatewayError(
        "embedder_bad_response",
        `embeddings response: ${data.length} vectors for ${expected} texts`,
      );
    }
    const vectors: Float32Array[] = new Array(expected);
    for (const item of data) {
      if (
        !Number.isInteger(item.index) ||
        item.index < 0 ||
        item.index >= expected ||
        vectors[item.index]
      ) {
        throw new GatewayError(
          "embedder_bad_response",
          `embeddings response: bad index ${item.index}`,
        );
      }
      if (item.embedding.length !== this.dims) {
        throw new GatewayError(
          "embedder_bad_response",
          `embeddings response: ${item.embedding.length} dimensions, expected ${this.dims}`,
        );
      }
      if (!item.embedding.every(Number.isFinite)) {
        throw new GatewayError(
          "embedder_bad_response",
          "embeddings response: NaN or infinite value",
        );
      }
      vectors[item.index] = Float32Array.from(item.embedding);
    }
    return vectors;
  }
}
