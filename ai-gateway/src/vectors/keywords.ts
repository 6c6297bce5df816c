/**
 * The gateway's tokenizer, shared by the keyword retrievers: lower case, accents folded
 * (`Zoë` → `zoe`), split on anything that is not a letter or a digit. So `INV-2024-0042` is
 * `inv 2024 0042` and `alice@tenant-a.dev` is `alice tenant a dev`, as SQLite FTS5's
 * `unicode61` tokenizer (with `remove_diacritics 2`) splits them.
 */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The distinct words of a query, at most `cap` (a query is at most 512 characters anyway). */
export function queryTerms(text: string, cap = 64): string[] {
  return [...new Set(tokenize(text))].slice(0, cap);
}

/**
 * An FTS5 query matching any of the words, each quoted so that no word is read as FTS5 syntax
 * (`OR`, `NEAR`, `*`, a column filter), each after `prefix` (the tenant's, as the sqlite-vec
 * store indexes words); null when the text has no word.
 */
export function ftsQuery(text: string, prefix = ""): string | null {
  const terms = queryTerms(text);
  return terms.length === 0 ? null : terms.map((term) => `"${prefix}${term}"`).join(" OR ");
}

/** A Qdrant sparse vector: unique indices, one value each. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

// BM25's term-frequency part, computed here because Qdrant's `idf` modifier supplies only the
// IDF at query time. k1 and b are BM25's usual values; the average length is a fixed guess (a
// task's title and description), since no running average can be kept across gateways.
const K1 = 1.2;
const B = 0.75;
const AVERAGE_TOKENS = 40;

/**
 * A word's sparse index: a 32-bit MurmurHash3 of it, the same on every gateway and release.
 * Two words that collide share a dimension (rare at 2³² slots; it only blurs their scores).
 */
const indexOf = (term: string) => Bun.hash.murmur32v3(term, 0);

/** Collects term weights by index (merging collisions) into a sparse vector. */
function sparse(weights: Map<string, number>): SparseVector {
  const byIndex = new Map<number, number>();
  for (const [term, weight] of weights) {
    const index = indexOf(term);
    byIndex.set(index, (byIndex.get(index) ?? 0) + weight);
  }
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((index) => byIndex.get(index) ?? 0) };
}

/**
 * A stored text's sparse vector: each word weighted by BM25's saturated term frequency, so
 * that with Qdrant's IDF modifier the dot product with `querySparse` is the BM25 score.
 */
export function documentSparse(text: string): SparseVector {
  const tokens = tokenize(text);
  const tf = new Map<string, number>();
  for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
  const norm = K1 * (1 - B + (B * tokens.length) / AVERAGE_TOKENS);
  const weights = new Map<string, number>();
  for (const [term, n] of tf) weights.set(term, (n * (K1 + 1)) / (n + norm));
  return sparse(weights);
}

/** A query's sparse vector: weight 1 per distinct word (the IDF comes from Qdrant). */
export function querySparse(text: string): SparseVector {
  return sparse(new Map(queryTerms(text).map((term) => [term, 1])));
}
