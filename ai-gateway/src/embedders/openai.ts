// The OpenAI-compatible embedder: requests sized to the server, split on timeouts and 413s.
import { describeError, type Logger, trimTrailingSlashes } from "@event-mesh/service-kit";
import { BatchWindow } from "./batch-window.ts";
import type { EmbedderHealth } from "./health.ts";
import { type Embedded, type Embedder, Refused } from "./index.ts";
import { type EmbeddingsRequestSettings, postEmbeddings, TooBig } from "./openai-request.ts";

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
  /**
   * Most texts per request. Requests are sized below it from the throughput the server shows
   * (batch-window.ts), so that one takes about a quarter of `timeoutMs`.
   */
  batchMax?: number;
  /** Retries of a 429 before giving up (the pipeline then backs off on its own). */
  maxRateLimitRetries?: number;
  /** Longest honoured Retry-After, in ms. */
  maxRetryAfterMs?: number;
  /**
   * Per-request timeout, in ms. A request that takes longer keeps the server busy after the
   * client left: the embedder waits for a one-text probe to pass before it sends again, and then
   * sends the texts in smaller requests.
   */
  timeoutMs?: number;
  /** Longest text sent, in UTF-16 units; longer texts are cut to it. */
  maxChars?: number;
  /** Send `dimensions: dims`; default only to models that take it (`text-embedding-3-*`). */
  sendDimensions?: boolean;
  /** Where splits are logged. */
  logger?: Logger;
  /** Told of every request's outcome (readiness). */
  health?: EmbedderHealth | undefined;
}

/** Probes, each of `timeoutMs`, sent after a timeout before the server counts as not draining. */
const DRAIN_PROBES = 4;

/** The text embedded when only the server's health is in question. */
export const PROBE_TEXT = "probe";

/**
 * Embeds through any server speaking the OpenAI embeddings API, in requests sized from the
 * server's measured throughput. A request that times out is sent again in smaller parts once the
 * server has drained; one answered 413 in halves; a text that still fails alone while the server
 * answers others comes back `Refused` instead of blocking the batch.
 */
export class OpenAiEmbedder implements Embedder {
  readonly dims: number;
  readonly name: string;
  readonly #endpoint: string;
  readonly #options: Required<Omit<OpenAiEmbedderOptions, "apiKey" | "logger" | "health">>;
  readonly #settings: EmbeddingsRequestSettings;
  readonly #logger: Logger | undefined;
  readonly #health: EmbedderHealth | undefined;
  readonly #window: BatchWindow;

  constructor(options: OpenAiEmbedderOptions) {
    this.dims = options.dims;
    this.name = `openai:${options.model}`;
    const base = trimTrailingSlashes(options.url);
    this.#endpoint = base.endsWith("/embeddings") ? base : `${base}/embeddings`;
    this.#options = {
      url: options.url,
      model: options.model,
      dims: options.dims,
      batchMax: options.batchMax ?? 256,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 5,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxChars: options.maxChars ?? 2048,
      // OpenAI's text-embedding-3 models shorten their vectors on request; older models and
      // most other servers refuse or ignore the field.
      sendDimensions: options.sendDimensions ?? /^text-embedding-3-/.test(options.model),
    };
    this.#settings = { ...this.#options, apiKey: options.apiKey };
    this.#logger = options.logger;
    this.#health = options.health;
    this.#window = new BatchWindow(this.#options.batchMax, this.#options.timeoutMs / 4);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Embedded[]> {
    const input = texts.map((text) => cut(text, this.#options.maxChars));
    return this.#sending(input, { answered: false }, signal);
  }

  /**
   * Sends `input` in requests of the window's size at the time of each. A timed-out or 413 part
   * is sent again in smaller parts; `call.answered` is set once any part passed.
   */
  async #sending(
    input: string[],
    call: { answered: boolean },
    signal: AbortSignal | undefined,
  ): Promise<Embedded[]> {
    const out: Embedded[] = [];
    while (out.length < input.length) {
      const part = input.slice(out.length, out.length + this.#window.size);
      out.push(...(await this.#part(part, call, signal)));
    }
    return out;
  }

  async #part(
    part: string[],
    call: { answered: boolean },
    signal: AbortSignal | undefined,
  ): Promise<Embedded[]> {
    const started = performance.now();
    try {
      const vectors = await this.#request(part, signal);
      this.#window.answered(part.length, performance.now() - started);
      call.answered = true;
      return vectors;
    } catch (error) {
      if (!(error instanceof TooBig)) throw error;
      if (error.status413) this.#window.tooLarge(part.length);
      else {
        this.#window.timedOut(part.length, this.#options.timeoutMs);
        // The server is still computing the request the client left: anything sent now would
        // queue behind it and time out too. Sent again only once a one-text probe passes.
        if (!(await this.#drained(signal))) throw error;
      }
      if (part.length > 1) {
        this.#logger?.warn(
          { texts: part.length, next: this.#window.size, err: error.message },
          "embeddings request sent again in smaller parts",
        );
        return this.#sending(part, call, signal);
      }
      // One text: it is at fault only if the server works for others (the drain probe passed).
      call.answered = true;
      return [new Refused(error.status413 ? error.message : `${error.message} (alone)`)];
    }
  }

  /** True once a one-text probe passes: the work the server had queued is done. */
  async #drained(signal: AbortSignal | undefined): Promise<boolean> {
    for (let attempt = 0; attempt < DRAIN_PROBES && !signal?.aborted; attempt++) {
      const passed = await this.#request([PROBE_TEXT], signal).then(
        () => true,
        () => false,
      );
      if (passed) return true;
    }
    return false;
  }

  /** One request (429s retried), its outcome told to `health`. */
  async #request(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const done = this.#health?.sent();
    try {
      const vectors = await postEmbeddings(this.#endpoint, input, this.#settings, signal);
      this.#health?.answered();
      return vectors;
    } catch (error) {
      // A 413 is an answer; an abandoned request (shutdown, readiness bound) says nothing.
      if (error instanceof TooBig && error.status413) this.#health?.answered();
      else if (!signal?.aborted) this.#health?.failed(describeError(error, { causes: false }));
      throw error;
    } finally {
      done?.();
    }
  }
}

/** The first `max` UTF-16 units of `text`, never ending inside a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
