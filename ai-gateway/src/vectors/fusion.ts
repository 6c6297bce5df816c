import type { SearchHit } from "./index.ts";

/** How hybrid search fuses its two lists. */
export type Fusion = "relative" | "rrf";

/** The fusions, the default first. */
export const FUSIONS = ["relative", "rrf"] as const satisfies Fusion[];

/**
 * Relative score fusion's weight of meaning: a hit scores HYBRID_ALPHA × its min-max-normalized
 * cosine + (1 − HYBRID_ALPHA) × its min-max-normalized BM25. 0.8 was chosen with
 * `bun run bench:quality` and all-MiniLM-L6-v2 (bench/README.md): lower lets keyword noise
 * outrank the meaning of a paraphrase, higher lets the meaning outrank an exact invoice number.
 */
export const HYBRID_ALPHA = 0.8;

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

/** The BM25 a keyword-mode score (normalizeBm25) was made from. */
export function bm25OfScore(score: number): number {
  return score >= 1 ? Number.MAX_VALUE : score <= 0 ? 0 : score / (1 - score);
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

/** Each hit's score min-max-normalized over its list: 1 for the best, 0 for the last. */
function spread(list: readonly SearchHit[]): Map<string, number> {
  const scores = list.map((hit) => hit.score);
  const hi = Math.max(...scores);
  const lo = Math.min(...scores);
  return new Map(list.map((hit) => [hit.id, hi === lo ? 1 : (hit.score - lo) / (hi - lo)]));
}

/** keywordWeight's ratio of the best BM25 to the second's from which a keyword list counts in full. */
export const KEYWORD_PEAK = 2;

/**
 * How much a keyword list says, 0..1, from how far its best hit stands above the second: in full
 * when the best BM25 is at least KEYWORD_PEAK times the second's (one entity holds a rare word,
 * such as an invoice number), nothing when the two are level (many entities share the query's
 * common words, as with a paraphrase), in proportion between. A list of one hit counts in full.
 * Chosen with `bun run bench:quality` (bench/README.md): without it, a flat list of common words
 * reordered the meaning's best hits of paraphrases at random, and hybrid ranked them below vector.
 */
export function keywordWeight(byWords: readonly SearchHit[]): number {
  const [best, second] = byWords;
  if (!best || best.score <= 0) return 0;
  if (!second) return 1;
  const lead = (best.score - Math.max(0, second.score)) / best.score;
  return Math.min(1, lead / (1 - 1 / KEYWORD_PEAK));
}

/**
 * Relative score fusion (Weaviate's `relativeScoreFusion`): each list's scores are normalized to
 * 0..1 over its own candidates, then weighed, `alpha` for meaning (cosines) and `1 − alpha` for
 * words (raw BM25, any scale, best first), the latter times keywordWeight, how far the keyword
 * list's best stands out. Unlike RRF it keeps how far apart the scores are, so a rare word that
 * one entity alone holds (an invoice number) counts for more than a common word that many share,
 * and a flat keyword list leaves the meaning's order as it is. Score 0..1, the weighed mean of the
 * two normalized scores: 1 = best in both lists (or by meaning, when the keyword list counts for
 * nothing); a hit the keyword list does not hold scores at most alpha / (alpha + its weight).
 * Ties keep the order of the first list (vector), then of the second.
 */
export function fuseRelative(
  byMeaning: readonly SearchHit[],
  byWords: readonly SearchHit[],
  limit: number,
  alpha = HYBRID_ALPHA,
): SearchHit[] {
  const meaning = spread(byMeaning);
  const words = spread(byWords);
  // A weighed mean of the two normalized scores, so 1 stays the best in both lists.
  const wordsWeight = (1 - alpha) * keywordWeight(byWords);
  const total = alpha + wordsWeight || 1;
  const fused = new Map<string, { hit: SearchHit; score: number; order: number }>();
  let order = 0;
  for (const hit of [...byMeaning, ...byWords]) {
    if (fused.has(hit.id)) continue;
    const score =
      (alpha * (meaning.get(hit.id) ?? 0) + wordsWeight * (words.get(hit.id) ?? 0)) / total;
    fused.set(hit.id, { hit, score, order: order++ });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score }));
}
