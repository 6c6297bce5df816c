import { type Embedder, l2Normalize } from "./index.ts";

/**
 * Deterministic embedder: feature hashing of normalized words and of the character trigrams of
 * each word padded with boundary marks. A one-letter typo changes at most three trigrams, so a
 * misspelled name still shares most features with the right one.
 */
export class HashingEmbedder implements Embedder {
  readonly name = "hashing";
  /** A fresh text costs more in the cache (SHA-256, lookup, 1.5 KB insert) than hashing it. */
  readonly cheaperThanCache = true;
  constructor(readonly dims: number = 384) {}

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  /** Synchronous form, for callers that embed a single query. */
  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dims);
    for (const word of words(text)) {
      addHashed(vector, fnv1aOf(word, WORD_PREFIX, 0, word.length), WORD_WEIGHT);
      const padded = `^${word}$`;
      for (let i = 0; i + 3 <= padded.length; i++) {
        addHashed(vector, fnv1aOf(padded, GRAM_PREFIX, i, i + 3), 1);
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

function addHashed(vector: Float32Array, hash: number, weight: number): void {
  const index = hash % vector.length;
  // The sign bit comes from the other end of the hash so colliding features tend to cancel
  // instead of piling up (the usual "hashing trick" correction).
  const sign = hash & 0x80000000 ? -1 : 1;
  vector[index] = (vector[index] ?? 0) + sign * weight;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const step = (hash: number, byte: number) => Math.imul(hash ^ byte, FNV_PRIME) >>> 0;

/** FNV-1a, 32 bit, over the UTF-8 bytes: fixed constants, so identical on every machine. */
export function fnv1a(text: string): number {
  return fnv1aOf(text, FNV_OFFSET, 0, text.length);
}

/** The hash state after the feature prefixes "w:" and "g:", computed once. */
const WORD_PREFIX = fnv1aOf("w:", FNV_OFFSET, 0, 2);
const GRAM_PREFIX = fnv1aOf("g:", FNV_OFFSET, 0, 2);

/**
 * FNV-1a of the UTF-8 bytes of `text.slice(from, to)`, continuing from `hash`. Encodes in place
 * instead of allocating a string and a byte array per feature (the embedder's hot loop); a lone
 * surrogate hashes as U+FFFD, as TextEncoder would encode it.
 */
function fnv1aOf(text: string, hash: number, from: number, to: number): number {
  let h = hash;
  for (let i = from; i < to; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      h = step(h, code);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < to ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    }
    if (code < 0x800) {
      h = step(h, 0xc0 | (code >> 6));
    } else if (code < 0x10000) {
      h = step(h, 0xe0 | (code >> 12));
      h = step(h, 0x80 | ((code >> 6) & 0x3f));
    } else {
      h = step(h, 0xf0 | (code >> 18));
      h = step(h, 0x80 | ((code >> 12) & 0x3f));
      h = step(h, 0x80 | ((code >> 6) & 0x3f));
    }
    h = step(h, 0x80 | (code & 0x3f));
  }
  return h;
}
