// The Query API request bodies of the Qdrant store's three search modes, and how their scores
// come back as the API's.
import { type Fusion, normalizeBm25, normalizeRrf, RRF_K } from "./fusion.ts";
import type { SearchFilter, SearchHit, SearchMode } from "./index.ts";
import { querySparse } from "./keywords.ts";

/** The sparse vector of each point's words (collection config: `modifier: idf`). */
export const KEYWORDS = "keywords";

/** Where the filterable fields live in a point's payload (`filters.status`). */
export const filterKey = (field: string) => `filters.${field}`;

/** Matches tombstones (points kept only to remember a delete's version); reads `must_not` it. */
export const TOMBSTONE = { key: "deleted", match: { value: true } };

/** The filter of every read: the tenant, no tombstone, and each field's accepted values. */
export function readFilter(tenantId: string, filter: SearchFilter | undefined) {
  const fields = Object.entries(filter ?? {}).map(([field, values]) => ({
    key: filterKey(field),
    match: { any: [...values] },
  }));
  return {
    must: [{ key: "tenantId", match: { value: tenantId } }, ...fields],
    must_not: [TOMBSTONE],
  };
}

/** What a search asks of Qdrant. */
export interface QdrantSearch {
  mode: SearchMode;
  tenantId: string;
  vector: Float32Array | null;
  text: string;
  limit: number;
  /** Candidates per prefetch in hybrid mode. */
  candidates: number;
  filter: SearchFilter | undefined;
  vectorFloor: number;
  /** False for a collection made before keyword search: it has no sparse vectors. */
  keywords: boolean;
  /** Hybrid mode's fusion: `rrf` in Qdrant, `relative` in the gateway over a batch of two. */
  fusion: Fusion;
}

/**
 * One Query API body (`POST /collections/{c}/points/query`), and how to read its scores; null
 * when the search cannot match anything (keyword mode without a word, say). Hybrid with RRF is
 * one request: a dense and a sparse `prefetch`, each filtered, fused by Qdrant's RRF with RRF_K.
 * (Hybrid with relative fusion is `hybridBatch`.)
 */
export function queryBody(search: QdrantSearch) {
  const filter = readFilter(search.tenantId, search.filter);
  const sparse = search.keywords ? querySparse(search.text) : null;
  const words = sparse && sparse.indices.length > 0 ? sparse : null;
  const dense = search.vector ? Array.from(search.vector) : null;
  const common = { limit: search.limit, with_payload: true, with_vector: false };
  if (search.mode === "vector") {
    return dense ? { body: { query: dense, filter, ...common }, score: (s: number) => s } : null;
  }
  if (search.mode === "keyword") {
    if (!words) return null;
    return { body: { query: words, using: KEYWORDS, filter, ...common }, score: normalizeBm25 };
  }
  // A list that cannot match (no words, no vector) is left out: the other is fused alone, as
  // sqlite-vec fuses it with an empty list (so its best scores 0.5).
  const limit = search.candidates;
  const prefetch = [
    ...(dense ? [{ query: dense, filter, limit, score_threshold: search.vectorFloor }] : []),
    ...(words ? [{ query: words, using: KEYWORDS, filter, limit }] : []),
  ];
  if (prefetch.length === 0) return null;
  return { body: { prefetch, query: { rrf: { k: RRF_K } }, ...common }, score: normalizeRrf };
}

/**
 * Hybrid search with relative fusion: one `POST /collections/{c}/points/query/batch` of the
 * dense and the sparse search, each filtered and `candidates` long, fused in the gateway as
 * sqlite-vec fuses its two (fusion.ts), since the fusion needs both lists' raw scores. A list
 * that cannot match (no words, no vector) is left out; null when neither can.
 */
export function hybridBatch(search: QdrantSearch) {
  const filter = readFilter(search.tenantId, search.filter);
  const sparse = search.keywords ? querySparse(search.text) : null;
  const words = sparse && sparse.indices.length > 0 ? sparse : null;
  const dense = search.vector ? Array.from(search.vector) : null;
  const common = { filter, limit: search.candidates, with_payload: true, with_vector: false };
  const byMeaning = dense ? { query: dense, score_threshold: search.vectorFloor, ...common } : null;
  const byWords = words ? { query: words, using: KEYWORDS, ...common } : null;
  if (!byMeaning && !byWords) return null;
  return { byMeaning, byWords };
}

/** A Query API answer as search hits, each score read by `score`. */
export function readHits(
  points: readonly { score: number; payload?: Record<string, unknown> | null }[],
  tenantId: string,
  score: (s: number) => number,
): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const point of points) {
    const payload = point.payload ?? {};
    const data = payload.data;
    // Defence in depth: never hand out a point of another tenant, whatever the server did.
    if (payload.tenantId !== tenantId || typeof payload.entityId !== "string") continue;
    if (payload.deleted === true) continue;
    if (typeof data !== "object" || data === null || Array.isArray(data)) continue;
    const highlight = readHighlight(payload);
    const hit: SearchHit = { id: payload.entityId, score: score(point.score), data: { ...data } };
    hits.push(highlight ? { ...hit, highlight } : hit);
  }
  return hits;
}

/** A payload's `highlight`, when it is one. */
function readHighlight(payload: Record<string, unknown>): SearchHit["highlight"] {
  const h = payload.highlight;
  if (typeof h !== "object" || h === null) return undefined;
  const { text, start, end } = h as Record<string, unknown>;
  if (typeof text !== "string" || typeof start !== "number" || typeof end !== "number")
    return undefined;
  return { text, start, end };
}
