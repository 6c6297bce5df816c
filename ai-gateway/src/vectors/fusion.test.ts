import { expect, test } from "bun:test";
import {
  bm25OfScore,
  fuseRelative,
  fuseRrf,
  HYBRID_ALPHA,
  KEYWORD_PEAK,
  keywordWeight,
  normalizeBm25,
  RRF_K,
} from "./fusion.ts";
import type { SearchHit } from "./index.ts";

const hits = (...ids: string[]): SearchHit[] => ids.map((id) => ({ id, score: 0, data: { id } }));

test("an entity first in both lists scores 1, first in one only 0.5", () => {
  const fused = fuseRrf([hits("a", "b"), hits("a", "c")], 10);
  expect(fused.map((hit) => hit.id)).toEqual(["a", "b", "c"]);
  expect(fused[0]?.score).toBe(1);
  // Second in one list only: (1 / 61) over the maximum 2 / 60.
  expect(fused[1]?.score).toBeCloseTo(RRF_K / (2 * (RRF_K + 1)), 10);
});

test("an entity found by both retrievers outranks one found by a single retriever", () => {
  const fused = fuseRrf([hits("v1", "both"), hits("k1", "k2", "both")], 2);
  expect(fused.map((hit) => hit.id)).toEqual(["both", "v1"]);
});

test("keyword scores map BM25 onto 0..1, monotonic", () => {
  expect(normalizeBm25(0)).toBe(0);
  expect(normalizeBm25(1)).toBe(0.5);
  expect(normalizeBm25(9)).toBeCloseTo(0.9, 10);
});

const scored = (...pairs: [string, number][]): SearchHit[] =>
  pairs.map(([id, score]) => ({ id, score, data: { id } }));

test("relative fusion: a rare word's clear BM25 lead lifts its entity where RRF ties", () => {
  // b holds an invoice number no other entity has: its BM25 stands far above the rest.
  const byMeaning = scored(["a", 0.62], ["b", 0.6], ["c", 0.3], ["d", 0.28]);
  const byWords = scored(["b", 14], ["a", 3], ["c", 2.9]);
  expect(fuseRelative(byMeaning, byWords, 4).map((hit) => hit.id)).toEqual(["b", "a", "c", "d"]);
  // RRF sees ranks only: a and b are first and second in each list alike.
  expect(fuseRrf([byMeaning, byWords], 4)[0]?.id).toBe("a");
});

test("relative fusion: a flat keyword list of common words leaves the meaning's order", () => {
  // A paraphrase: the best by meaning shares no word with the query; others share common ones,
  // each about as much as the next, so the keyword list says nothing of which one is meant.
  const byMeaning = scored(["a", 0.55], ["b", 0.4], ["c", 0.39], ["d", 0.2]);
  const byWords = scored(["c", 6.2], ["d", 6.1], ["e", 6.0], ["f", 5.9]);
  expect(fuseRelative(byMeaning, byWords, 3).map((hit) => hit.id)).toEqual(["a", "b", "c"]);
  expect(fuseRrf([byMeaning, byWords], 1)[0]?.id).toBe("c");
  // The same words with a clear leader: c, one entity holding more of them, moves up past b.
  const peaked = scored(["c", 12.4], ["d", 6.1], ["e", 6.0], ["f", 5.9]);
  expect(fuseRelative(byMeaning, peaked, 3).map((hit) => hit.id)).toEqual(["a", "c", "b"]);
});

test("a keyword list counts in full from a best hit KEYWORD_PEAK times the second, none when level", () => {
  expect(keywordWeight([])).toBe(0);
  expect(keywordWeight(scored(["a", 3]))).toBe(1);
  expect(keywordWeight(scored(["a", 3], ["b", 3]))).toBe(0);
  expect(keywordWeight(scored(["a", 3 * KEYWORD_PEAK], ["b", 3]))).toBe(1);
  expect(keywordWeight(scored(["a", 100], ["b", 1]))).toBe(1);
  // Halfway between level and the peak ratio: half the weight.
  const half = 1 / (1 - (1 - 1 / KEYWORD_PEAK) / 2);
  expect(keywordWeight(scored(["a", 3 * half], ["b", 3]))).toBeCloseTo(0.5, 10);
  expect(keywordWeight(scored(["a", 0], ["b", 0]))).toBe(0);
});

test("relative fusion scores 1 for the best of both lists, and for the best by meaning with no words", () => {
  const both = fuseRelative(scored(["a", 0.9], ["b", 0.5]), scored(["a", 3], ["c", 1]), 3);
  expect(both.map((hit) => [hit.id, hit.score])).toEqual([
    ["a", 1],
    ["b", 0],
    ["c", 0],
  ]);
  const alone = fuseRelative(scored(["a", 0.9]), [], 1);
  expect(alone[0]?.score).toBe(1);
  expect(fuseRelative([], scored(["k", 2]), 1)[0]?.score).toBeCloseTo(1 - HYBRID_ALPHA, 10);
  // A keyword list that counts in full: the best by meaning alone scores alpha.
  const peaked = fuseRelative(scored(["a", 0.9], ["b", 0.5]), scored(["c", 4], ["d", 1]), 4);
  expect(peaked.map((hit) => [hit.id, hit.score])).toEqual([
    ["a", HYBRID_ALPHA],
    ["c", 1 - HYBRID_ALPHA],
    ["b", 0],
    ["d", 0],
  ]);
});

test("a keyword score maps back to its BM25", () => {
  for (const bm25 of [0, 0.5, 1, 7.25, 14])
    expect(bm25OfScore(normalizeBm25(bm25))).toBeCloseTo(bm25, 9);
});
