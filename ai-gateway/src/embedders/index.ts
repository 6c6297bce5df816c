import { GatewayError } from "../errors.ts";

/**
 * A text the embeddings server refused for good: it alone still timed out, or was too large,
 * while the server answered other texts. The pipeline dead-letters its event with `reason`.
 */
export class Refused {
  constructor(readonly reason: string) {}
}

/** The outcome for one text: its vector, or why it has none. */
export type Embedded = Float32Array | Refused;

/** Turns texts into vectors. One call per batch; the order of the result matches the input. */
export interface Embedder {
  /** Vector length every result has. */
  readonly dims: number;
  /** Short label for logs and metrics, e.g. `hashing` or `openai:text-embedding-3-small`. */
  readonly name: string;
  /**
   * `true`: computing a vector costs less than a cache lookup plus insert, so the embed step
   * skips the embedding cache (the hashing embedder: about 20 µs per text against 40–80 µs for a
   * miss, bench/embed-cache.ts). Unset: vectors are cached.
   */
  readonly cheaperThanCache?: boolean;
  /**
   * Embeds all texts at once. A text refused for good comes back as `Refused`, the others still
   * get their vectors. Rejects when the call as a whole failed (server down: retry; a
   * `WrongDimsError`: do not). `signal` abandons the work (shutdown).
   */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Embedded[]>;
}

/** Every vector or an error: for callers that cannot use a partial answer (a search query). */
export async function embedAll(
  embedder: Embedder,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const embedded = await embedder.embed(texts, signal);
  return embedded.map((item) => {
    if (item instanceof Refused) throw new GatewayError("embedder_failed", item.reason);
    return item;
  });
}

/** Scales a vector to unit length in place; a zero vector stays zero. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  if (sum === 0) return vector;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * inv;
  return vector;
}
