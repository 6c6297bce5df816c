/**
 * Errors of the gateway's own dependencies (embedder, vector store, Kafka). HTTP errors and their
 * JSON rendering come from service-kit (`AppError`, `onError`); these are what the pipeline
 * retries and what `/readyz` reports.
 */
export const GATEWAY_ERROR_CODES = [
  "embedder_failed",
  "embedder_bad_response",
  "embedder_wrong_dims",
  "store_failed",
  "dead_letter_failed",
  "shutting_down",
  "source_failed",
] as const;

/** One of the gateway's error codes. */
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** A dependency failure. `retryAfterMs` is set when the dependency said how long to wait. */
export class GatewayError extends Error {
  override name = "GatewayError";
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The embeddings server returns vectors of another size than EMBEDDING_DIMS: a configuration
 * error no retry can fix (the model or EMBEDDING_DIMS has to change).
 */
export class WrongDimsError extends GatewayError {
  override name = "WrongDimsError";
  constructor(
    readonly got: number,
    readonly expected: number,
  ) {
    super("embedder_wrong_dims", `embeddings response: ${got} dimensions, expected ${expected}`);
  }
}

/** The dependency a client is told failed (`embedder is unavailable`), by error code. */
const DEPENDENCY_OF: Record<GatewayErrorCode, string> = {
  embedder_failed: "embedder",
  embedder_bad_response: "embedder",
  embedder_wrong_dims: "embedder",
  store_failed: "vector store",
  dead_letter_failed: "dead-letter store",
  shutting_down: "ingest pipeline",
  source_failed: "reconcile source",
};

/** Which dependency `error` says failed; `fallback` for anything else. */
export function dependencyOf(error: unknown, fallback: string): string {
  return error instanceof GatewayError ? DEPENDENCY_OF[error.code] : fallback;
}
