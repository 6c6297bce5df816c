// One embeddings request to an OpenAI-compatible server: its body, its timeout, its 429 retries.
import { callHttp, deadline, Retrier } from "@event-mesh/service-kit";
import { GatewayError } from "../errors.ts";
import { readEmbeddings } from "./openai-response.ts";

/** What one request needs of the embedder's settings. */
export interface EmbeddingsRequestSettings {
  /** Model name sent with the request. */
  model: string;
  /** Vector size the server must return. */
  dims: number;
  /** Send `dimensions: dims`. */
  sendDimensions: boolean;
  /** The request's timeout, body included, in ms. */
  timeoutMs: number;
  /** Retries of a 429 before giving up. */
  maxRateLimitRetries: number;
  /** Longest honoured Retry-After, in ms. */
  maxRetryAfterMs: number;
  /** Bearer token, if the server wants one. */
  apiKey: string | undefined;
}

/** A request that timed out or was answered 413: the same texts in smaller requests may pass. */
export class TooBig extends GatewayError {
  constructor(
    message: string,
    readonly status413: boolean,
  ) {
    super("embedder_failed", message);
  }
}

/**
 * POSTs `input` to `endpoint` and answers its vectors. A timeout or a 413 is a `TooBig` (the
 * caller splits); a 429 is retried here; anything else is a GatewayError for the pipeline.
 */
export async function postEmbeddings(
  endpoint: string,
  input: string[],
  settings: EmbeddingsRequestSettings,
  signal: AbortSignal | undefined,
): Promise<Float32Array[]> {
  const { timeoutMs, model, dims, sendDimensions } = settings;
  const body = JSON.stringify({
    model,
    input,
    encoding_format: "float",
    ...(sendDimensions ? { dimensions: dims } : {}),
  });
  // 429s are retried here, waiting what Retry-After asks (else the backoff), up to
  // maxRateLimitRetries; anything else is the pipeline's to retry.
  const rateLimited = new Retrier({ baseMs: 100, maxMs: 5_000 }, signal);
  for (;;) {
    const until = deadline(timeoutMs, signal);
    const either = until.signal;
    let response: Response;
    let json: unknown;
    try {
      response = await callHttp(endpoint, "", {
        method: "POST",
        token: settings.apiKey,
        headers: { "content-type": "application/json" },
        body,
        signal: either,
      });
      // The timeout covers the body too: a server may send headers at once and stall after.
      json = response.ok ? await response.json().catch(rethrowIf(either)) : undefined;
      if (!response.ok) await response.arrayBuffer();
    } catch (error) {
      if (signal?.aborted) throw new GatewayError("shutting_down", "embeddings request abandoned");
      if (until.timedOut()) {
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
    if (response.status === 429 && rateLimited.attempts < settings.maxRateLimitRetries) {
      await rateLimited.failed(
        retryAfterMs(settings.maxRetryAfterMs, response.headers.get("retry-after")),
      );
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
        retryAfter === null ? undefined : retryAfterMs(settings.maxRetryAfterMs, retryAfter),
      );
    }
    return readEmbeddings(json, input.length, dims);
  }
}

/** What a Retry-After header (seconds or a date) asks, capped; 0 when absent or unreadable. */
function retryAfterMs(max: number, header: string | null): number {
  let ms = Number.NaN;
  if (header !== null && /^\s*\d+(\.\d+)?\s*$/.test(header)) ms = Number(header) * 1000;
  else if (header !== null) ms = Date.parse(header) - Date.now();
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  return Math.min(ms, max);
}

/** A body that is not JSON is a bad response, unless reading it was cut short by `signal`. */
function rethrowIf(signal: AbortSignal) {
  return (error: unknown) => {
    if (signal.aborted) throw error;
    return undefined;
  };
}
