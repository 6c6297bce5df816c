import { createHash } from "node:crypto";

/**
 * Vectors already computed, keyed by (embedder with its model, dimensions, SHA-256 of the text):
 * an update that keeps the text, a redelivery, a replay or a re-import is not embedded again.
 */
export interface EmbeddingCache {
  /** The cached vector of each text (`undefined`: a miss), in the order of `texts`. */
  get(embedder: string, dims: number, texts: readonly string[]): (Float32Array | undefined)[];
  /** Stores computed vectors; evicts past the bounds. */
  put(
    embedder: string,
    dims: number,
    entries: readonly { text: string; vector: Float32Array }[],
  ): void;
  /** Entries held, and their payload bytes (vectors and keys). */
  stats(): { entries: number; bytes: number };
}

/** The cache key of a text: its SHA-256 (the text itself is never stored). */
export function textHash(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}
