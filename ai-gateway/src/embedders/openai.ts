import { type Logger, sleep, trimTrailingSlashes } from "@event-mesh/service-kit";
import { GatewayError } from "../errors.ts";
import { type Embedded, type Embedder, Refused } from "./index.ts";
import { readEmbeddings } from "./openai-response.ts";

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
  /** Per-request timeout, in ms; a request that takes longer is split in two. */
  timeoutMs?: number;
  /** Longest text sent, in UTF-16 units; longer texts are cut to it. */
  maxChars?: number;
  /** Send `dimensions: dims`; default only to models that take it (`text-embedding-3-*`). */
  sendDimensions?: boolean;
  /** Where splits are logged. */
  logger?: Logger;
}

/** The text embedded when only the server's health is in question. */
export const PROBE_TEXT = "probe";

/** A request that timed out or was answered 413: the same texts in smaller requests may pass. */
class TooBig extends GatewayError {
  constructor(
    message: string,
    readonly status413: boolean,
  ) {
    super("embedder_failed", message);
  }
}

/**
 * Embeds through any server speaking the OpenAI embeddings API, one request per batch. A request
 * that times out or is too large is halved, down to one text; a text that still fails while the
 * server answers others comes back `Refused` instead of blocking the batch.
 */
export class OpenAiEmbedder implements Embedder {
  readonly dims: number;
  readonly name: string;
  readonly #endpoint: string;
  readonly #options: Required<Omit<OpenAiEmbedderOptions, "apiKey" | "logger">>;
  readonly #headers: Record<string, string> = { "content-type": "application/json" };
  readonly #logger: Logger | undefined;

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
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#logger = options.logger;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Embedded[]> {
    const input = texts.map((text) => cut(text, this.#options.maxChars));
    const call = { answered: false };
    const out: Embedded[] = [];
    for (let start = 0; start < input.length; start += this.#options.batchMax) {
      const chunk = input.slice(start, start + this.#options.batchMax);
      out.push(...(await this.#splitting(chunk, call, signal)));
    }
    return out;
  }

  /** One request, halved on a timeout or 413; `call.answered` is set once any part passed. */
  async #splitting(
    input: string[],
    call: { answered: boolean },
    signal: AbortSignal | undefined,
  ): Promise<Embedded[]> {
    try {
      const vectors = await this.#request(input, signal);
      call.answered = true;
      return vectors;
    } catch (error) {
      if (!(error instanceof TooBig)) throw error;
      if (input.length > 1) {
        this.#logger?.warn(
          { texts: input.length, err: error.message },
          "splitting embeddings request",
        );
        const half = Math.ceil(input.length / 2);
        const first = await this.#splitting(input.slice(0, half), call, signal);
        return [...first, ...(await this.#splitting(input.slice(half), call, signal))];
      }
      // One text: it is at fault only if the server works for others. Nothing has passed yet
      // in this call → ask with a tiny text; if that fails too, the server is the problem.
      if (error.status413 || call.answered || (await this.#answers(signal))) {
        call.answered = true;
        return [new Refused(error.status413 ? error.message : `${error.message} (alone)`)];
      }
      throw error;
    }
  }

  async #answers(signal: AbortSignal | undefined): Promise<boolean> {
    return this.#request([PROBE_TEXT], signal).then(
      () => true,
      () => false,
    );
  }

  async #request(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const { timeoutMs, model, dims, sendDimensions } = this.#options;
    const body = JSON.stringify({
      model,
      input,
      encoding_format: "float",
      ...(sendDimensions ? { dimensions: dims } : {}),
    });
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const either = signal ? AbortSignal.any([timeout, signal]) : timeout;
      let response: Response;
      let json: unknown;
      try {
        response = await fetch(this.#endpoint, {
          method: "POST",
          headers: this.#headers,
          body,
          signal: either,
        });
        // The timeout covers the body too: a server may send headers at once and stall after.
        json = response.ok ? await response.json().catch(rethrowIf(either)) : undefined;
        if (!response.ok) await response.arrayBuffer();
      } catch (error) {
        if (signal?.aborted)
          throw new GatewayError("shutting_down", "embeddings request abandoned");
        if (timeout.aborted) {
          throw new TooBig(
            `embeddings request of ${input.length} texts took over ${timeoutMs} ms`,
            false,
          );
        }
        throw new GatewayError(
          "embedder_failed",
          `embeddings request failed: ${String(error)}`,
          undefined,
          {
            cause: error,
          },
        );
      }
      if (response.status === 429 && attempt < this.#options.maxRateLimitRetries) {
        await sleep(this.#retryAfter(response.headers.get("retry-after"), attempt), signal);
        continue;
      }
      if (response.status === 413) {
        throw new TooBig(`embeddings server answered 413 for ${input.length} texts`, true);
      }
      if (!response.ok) {
        const retryAfter = response.headers.get("retry-after");
        throw new GatewayError(
          "embedder_failed",
          `embeddings server answered ${response.status}`,
          retryAfter === null ? undefined : this.#retryAfter(retryAfter, attempt),
        );
      }
      return readEmbeddings(json, input.length, this.dims);
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
}

/** A body that is not JSON is a bad response, unless reading it was cut short by `signal`. */
function rethrowIf(signal: AbortSignal) {
  return (error: unknown) => {
    if (signal.aborted) throw error;
    return undefined;
  };
}

/** The first `max` UTF-16 units of `text`, never ending inside a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
