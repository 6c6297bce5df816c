import { expect, test } from "bun:test";
import { fuseRrf, normalizeBm25, RRF_K } from "./fusion.ts";
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
