import type { SearchHit } from "./index.ts";

/**
 * Reciprocal Rank Fusion's constant. Each retriever's list adds 1 / (RRF_K + position) to a
 * hit, position 0 for its best (Qdrant's formula, so both stores fuse alike); 60 is the value of
 * the RRF paper (Cormack et al., 2009): a hit's rank matters, but no single list dominates.
 */
export const RRF_K = 60;

/** The most an RRF score can be with two lists: first in both. */
const RRF_MAX = 2 / RRF_K;

/** An RRF score of two lists as 0..1: 1 = first in both lists, 0.5 = first in one only. */
export function normalizeRrf(score: number): number {
  return Math.min(1, score / RRF_MAX);
}

/**
 * A BM25 score (0 for no match, unbounded above) as 0..1, monotonic: bm25 / (bm25 + 1). So a
 * keyword score of 0.5 is a BM25 of 1, 0.9 one of 9; `minScore` 0.1 drops matches under 0.11.
 */
export function normalizeBm25(bm25: number): number {
  return bm25 <= 0 ? 0 : bm25 / (bm25 + 1);
}

/** How many hits each retriever hands to the fusion for a search of `limit`. */
export function fusionCandidates(limit: number): number {
  return Math.max(20, limit * 2);
}

/**
 * Fuses ranked lists (best first, one entity at most once per list) by RRF: the best `limit`,
 * each with its normalized fused score, its data from the first list that has it. Ties keep the
 * order of the first list (vector), then of the second.
 */
export function fuseRrf(lists: readonly (readonly SearchHit[])[], limit: number): SearchHit[] {
  const fused = new Map<string, { hit: SearchHit; score: number; order: number }>();
  let order = 0;
  for (const list of lists) {
    list.forEach((hit, position) => {
      const add = 1 / (RRF_K + position);
      const seen = fused.get(hit.id);
      if (seen) seen.score += add;
      else fused.set(hit.id, { hit, score: add, order: order++ });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score: normalizeRrf(score) }));
}
