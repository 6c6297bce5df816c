import { describe, expect, test } from "bun:test";
import { fnv1a, HashingEmbedder, words } from "./hashing.ts";

const FIRST = [
  "Alice",
  "Bruno",
  "Chiara",
  "Dmitri",
  "Elena",
  "Farid",
  "Greta",
  "Hiroshi",
  "Ines",
  "Jonas",
  "Kateryna",
  "Liam",
  "Mateo",
  "Nadia",
  "Oskar",
  "Priya",
  "Quentin",
  "Rosa",
  "Sven",
  "Tariq",
  "Ursula",
  "Viktor",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Amara",
  "Benedikt",
  "Camille",
  "Diego",
  "Emeka",
  "Freya",
  "Gustavo",
  "Hana",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Marek",
  "Noor",
];
const LAST = [
  "Andersen",
  "Baptiste",
  "Castellanos",
  "Dubois",
  "Eriksson",
  "Fontaine",
  "Gallagher",
  "Hoffmann",
  "Iwasaki",
  "Jovanovic",
  "Kowalski",
  "Lindqvist",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Quiroga",
  "Rossi",
  "Schneider",
  "Takahashi",
  "Ueda",
  "Vasquez",
  "Whitfield",
  "Xu",
  "Yilmaz",
  "Zielinski",
  "Abara",
  "Bianchi",
  "Christensen",
  "Delgado",
  "Esposito",
  "Fischer",
  "Gonzaga",
  "Haddad",
  "Ibrahim",
  "Jensen",
  "Kruger",
  "Larsen",
  "Mendes",
  "Novak",
];

/** Small deterministic PRNG (mulberry32) so the test is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function typo(name: string, random: () => number): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let at = Math.floor(random() * name.length);
  while (name[at] === " ") at = Math.floor(random() * name.length);
  const letter = letters[Math.floor(random() * letters.length)] ?? "e";
  switch (Math.floor(random() * 4)) {
    case 0: // substitution
      return name.slice(0, at) + letter + name.slice(at + 1);
    case 1: // deletion
      return name.slice(0, at) + name.slice(at + 1);
    case 2: // insertion
      return name.slice(0, at) + letter + name.slice(at);
    default: // transposition with the next character
      return at + 1 < name.length && name[at + 1] !== " "
        ? name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2)
        : name.slice(0, at) + letter + name.slice(at + 1);
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder(384);

  test("gives unit vectors of the configured size", async () => {
    const [vector] = await embedder.embed(["Alice A alice@tenant-a.dev"]);
    expect(vector?.length).toBe(384);
    expect(dot(vector ?? new Float32Array(), vector ?? new Float32Array())).toBeCloseTo(1, 5);
  });

  test("is stable across runs and machines (fixed hash, pinned values)", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
    const vector = embedder.embedOne("Alice");
    const nonZero = [...vector.entries()]
      .filter(([, x]) => x !== 0)
      .map(([i, x]) => [i, Math.round(x * 1e4) / 1e4]);
    // Pinned: changing the features or the hash would silently invalidate every stored vector.
    expect(nonZero).toEqual([
      [16, 0.3714],
      [19, 0.3714],
      [84, 0.5571],
      [176, -0.3714],
      [188, 0.3714],
      [203, -0.3714],
    ]);
  });

  test("normalizes case, accents and punctuation", () => {
    expect(words("Zoë O'Neil-Smith")).toEqual(["zoe", "o", "neil", "smith"]);
    expect(embedder.embedOne("ZOË")).toEqual(embedder.embedOne("zoe"));
  });

  test("finds the person from a name with one typo among 1,000 names (top 10, ≥95%)", () => {
    const random = prng(42);
    const names = new Set<string>();
    while (names.size < 1000) {
      const first = FIRST[Math.floor(random() * FIRST.length)];
      const last = LAST[Math.floor(random() * LAST.length)];
      names.add(`${first} ${last}`);
    }
    const people = [...names].map((name, i) => {
      const email = `${name.toLowerCase().replace(" ", ".")}${i}@example.com`;
      return { name, vector: embedder.embedOne(`${name} ${email}`) };
    });
    let found = 0;
    for (const [index, person] of people.entries()) {
      const query = embedder.embedOne(typo(person.name, random));
      const scores = people.map((other, i) => ({ i, score: dot(query, other.vector) }));
      scores.sort((a, b) => b.score - a.score);
      if (scores.slice(0, 10).some((hit) => hit.i === index)) found++;
    }
    console.log(`typo recall@10: ${found}/${people.length}`);
    expect(found / people.length).toBeGreaterThanOrEqual(0.95);
  });
});

test("fnv1a hashes the UTF-8 bytes TextEncoder makes, lone surrogates included", () => {
  const encoder = new TextEncoder();
  const reference = (text: string) => {
    let hash = 0x811c9dc5;
    for (const byte of encoder.encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash;
  };
  for (const text of [
    "",
    "w:alice",
    "Zoë",
    "Straße",
    "名前",
    "😀x",
    "a\uD800b",
    "c\uDC00",
    "\uD83D",
  ]) {
    expect(fnv1a(text)).toBe(reference(text));
  }
});
