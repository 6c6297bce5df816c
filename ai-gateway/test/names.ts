/**
 * Seeded, reproducible user data for the benchmarks: pronounceable synthetic names (so that
 * 100,000 users per tenant are almost all distinct) and one-typo variants for recall queries.
 */

import type { HashingEmbedder } from "../src/embedders/hashing.ts";
import { userText } from "../src/pipeline/plan.ts";
import type { PointUpsert } from "../src/vectors/index.ts";
import { pointId } from "../src/vectors/point-id.ts";

/** mulberry32: a small seeded PRNG, identical on every machine. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = [
  "b",
  "c",
  "d",
  "f",
  "g",
  "h",
  "j",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "v",
  "z",
];
const ONSETS2 = ["br", "ch", "cl", "dr", "fr", "gr", "kr", "pl", "sh", "st", "th", "tr"];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
const CODAS = ["", "", "", "n", "l", "r", "s", "m", "th", "rd", "nd"];

function syllable(random: () => number): string {
  const onsets = random() < 0.8 ? ONSETS : ONSETS2;
  return pick(onsets, random) + pick(VOWELS, random) + pick(CODAS, random);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function word(random: () => number, syllables: number): string {
  let text = "";
  for (let i = 0; i < syllables; i++) text += syllable(random);
  return (text[0] ?? "").toUpperCase() + text.slice(1);
}

/** A generated user. */
export interface BenchUser {
  /** 1-based, unique within the tenant. */
  id: number;
  name: string;
  email: string;
  tenantId: string;
}

/** `count` users of `tenantId`, the same for the same seed. */
export function users(tenantId: string, count: number, seed: number): BenchUser[] {
  const random = rng(seed);
  const out: BenchUser[] = [];
  for (let i = 0; i < count; i++) {
    const first = word(random, 1 + Math.floor(random() * 2));
    const last = word(random, 2 + Math.floor(random() * 2));
    const id = i + 1;
    out.push({
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}${id}@${tenantId}.example`.toLowerCase(),
      tenantId,
    });
  }
  return out;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * The name with exactly one typo: a letter replaced, dropped, doubled or swapped with its
 * neighbour, never the first letter of a word (people rarely get that wrong).
 */
export function withTypo(name: string, random: () => number): string {
  const positions: number[] = [];
  for (let i = 1; i < name.length; i++) {
    if (/[a-z]/.test(name[i] ?? "") && name[i - 1] !== " ") positions.push(i);
  }
  const at = pick(positions, random);
  const kind = Math.floor(random() * 4);
  const before = name.slice(0, at);
  const after = name.slice(at + 1);
  const letter = name[at] ?? "";
  switch (kind) {
    case 0: {
      let other = letter;
      while (other === letter) other = pick([...LETTERS], random);
      return before + other + after;
    }
    case 1:
      return before + after;
    case 2:
      return before + letter + letter + after;
    default: {
      const next = after[0];
      if (next && /[a-z]/.test(next) && next !== letter)
        return `${before}${next}${letter}${after.slice(1)}`;
      return before + after;
    }
  }
}

/** A generated user as the pipeline would store it: same point id, text and payload. */
export function userPoint(user: BenchUser, embedder: HashingEmbedder): PointUpsert {
  return {
    id: pointId("users", user.tenantId, String(user.id)),
    tenantId: user.tenantId,
    entityId: String(user.id),
    version: 1,
    vector: embedder.embedOne(userText(user)),
    text: userText(user),
    filters: {},
    data: { ...user },
  };
}
