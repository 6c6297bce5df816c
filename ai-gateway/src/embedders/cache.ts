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
  /**
   * Stores computed vectors (under their scope, if any), each with the entity it was computed
   * for (so erasing the entity or its tenant finds it); evicts past the bounds.
   */
  put(embedder: string, dims: number, entries: readonly CacheEntry[]): void;
  /**
   * Removes the entries computed for a tenant, or for one of its entities, under every embedder
   * and size (every generation); answers how many.
   */
  erase(owner: CacheOwner): number;
  /** Entries held, and their payload bytes (vectors and keys). */
  stats(): { entries: number; bytes: number };
}

/** Whose text an entry was computed from. */
export interface CacheOwner {
  tenantId: string;
  /** `<collection>/<entityId>`; unset: every entry of the tenant. */
  entity?: string | undefined;
}

/** A computed vector to cache. */
export interface CacheEntry {
  text: string;
  vector: Float32Array;
  /** The key's scope: the tenant (EMBEDDING_CACHE_SCOPE=tenant), or none (shared). */
  scope?: string | undefined;
  /** The entity it was computed for; not part of the key. */
  owner?: CacheOwner | undefined;
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
