import { type Embedder, l2Normalize } from "./index.ts";

/**
 * Deterministic embedder: feature hashing of normalized words and of the character trigrams of
 * each word padded with boundary marks. A one-letter typo changes at most three trigrams, so a
 * misspelled name still shares most features with the right one.
 */
export class HashingEmbedder implements Embedder {
  readonly name = "hashing";
  constructor(readonly dims: number = 384) {}

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  /** Synchronous form, for callers that embed a single query. */
  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dims);
    for (const word of words(text)) {
      addFeature(vector, `w:${word}`, WORD_WEIGHT);
      const padded = `^${word}$`;
      for (let i = 0; i + 3 <= padded.length; i++) {
        addFeature(vector, `g:${padded.slice(i, i + 3)}`, 1);
      }
    }
    return l2Normalize(vector);
  }
}

const WORD_WEIGHT = 1.5;

/** Lower-cased words without diacritics: "Zoë O'Neil" → ["zoe", "o", "neil"]. */
export function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

function addFeature(vector: Float32Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const index = hash % vector.length;
  // The sign bit comes from the other end of the hash so colliding features tend to cancel
  // instead of piling up (the usual "hashing trick" correction).
  const sign = hash & 0x80000000 ? -1 : 1;
  vector[index] = (vector[index] ?? 0) + sign * weight;
}

const encoder = new TextEncoder();

/** FNV-1a, 32 bit, over the UTF-8 bytes: fixed constants, so identical on every machine. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
