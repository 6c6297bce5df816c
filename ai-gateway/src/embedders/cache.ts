import { createHash } from "node:crypto";

/**
 * Vectors already computed, keyed by (embedder with its model, dimensions, SHA-256 of the scope
 * and the text): an update that keeps the text, a redelivery, a replay or a re-import is not
 * embedded again. The scope is the tenant by default (EMBEDDING_CACHE_SCOPE=tenant), so that a
 * hit never tells one tenant that another indexed the same text; no scope is the shared cache.
 */
export interface EmbeddingCache {
  /**
   * The cached vector of each text (`undefined`: a miss), in the order of `texts`; `scopes`
   * (parallel to `texts`) names whose entry each is, none → the shared entries.
   */
  get(
    embedder: string,
    dims: number,
    texts: readonly string[],
    scopes?: readonly string[],
  ): (Float32Array | undefined)[];
  /** Stores computed vectors (under their scope, if any); evicts past the bounds. */
  put(
    embedder: string,
    dims: number,
    entries: readonly { text: string; vector: Float32Array; scope?: string | undefined }[],
  ): void;
  /** Entries held, and their payload bytes (vectors and keys). */
  stats(): { entries: number; bytes: number };
}

/**
 * The cache key of a text: its SHA-256, with the scope (a tenant id, which has no NUL) in front
 * when there is one. The text itself is never stored.
 */
export function textHash(text: string, scope?: string): Uint8Array {
  const hash = createHash("sha256");
  if (scope !== undefined) hash.update(`${scope}\u0000`);
  return hash.update(text).digest();
}
