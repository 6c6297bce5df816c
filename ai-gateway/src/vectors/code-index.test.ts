import { expect, test } from "bun:test";
import { rng as random } from "../../test/names.ts";
import { CodeIndex } from "./code-index.ts";
import { scanModuleBytes } from "./hamming-wasm.ts";

const codeOf = (next: () => number, bytes: number) =>
  Uint8Array.from({ length: bytes }, () => Math.floor(next() * 256));

/** Hamming distance, bit by bit: the reference the WebAssembly scan must agree with. */
function hamming(a: Uint8Array, b: Uint8Array): number {
  let distance = 0;
  for (let i = 0; i < a.length; i++) {
    let x = (a[i] ?? 0) ^ (b[i] ?? 0);
    for (; x !== 0; x >>= 1) distance += x & 1;
  }
  return distance;
}

/** The k smallest distances to `query` among `codes`, by brute force. */
const bestDistances = (codes: Map<number, Uint8Array>, query: Uint8Array, k: number) =>
  [...codes.values()]
    .map((code) => hamming(code, query))
    .sort((a, b) => a - b)
    .slice(0, k);

test("the module is valid WebAssembly for every code size the embedders make", () => {
  for (const words of [1, 2, 12, 48, 256])
    expect(WebAssembly.validate(scanModuleBytes(words))).toBe(true);
});

// 96 bytes: 384 dimensions; 12: a size that is not whole 64-bit words; 384: 1,536 dimensions.
for (const bytes of [96, 12, 384]) {
  test(`the nearest codes of ${bytes} bytes are the brute-force nearest, through adds and removes`, () => {
    const next = random(bytes);
    const index = new CodeIndex(bytes);
    const codes = new Map<number, Uint8Array>();
    // Past the first capacity (1,024), so the memory grows under the codes.
    for (let i = 0; i < 3_000; i++) {
      // Rowids of points and of chunks (up to 2^50 and more).
      const rowid = i % 3 === 0 ? 2 ** 50 + i * 1024 + 1 : i + 1;
      const code = codeOf(next, bytes);
      codes.set(rowid, code);
      index.add(rowid, code);
    }
    for (const round of [0, 1, 2]) {
      for (const k of [1, 20, 77]) {
        const query = codeOf(next, bytes);
        const found = index.nearest(query, k);
        expect(found).toHaveLength(k);
        expect(new Set(found).size).toBe(k);
        const distances = found.map((rowid) => {
          const code = codes.get(rowid);
          if (!code) throw new Error(`rowid ${rowid} is not in the index`);
          return hamming(code, query);
        });
        expect(distances.sort((a, b) => a - b)).toEqual(bestDistances(codes, query, k));
      }
      // Remove a third, re-add some under new codes: the last codes move into freed slots.
      const rowids = [...codes.keys()];
      for (let i = round; i < rowids.length; i += 3) {
        const rowid = rowids[i] as number;
        expect(index.remove(rowid)).toBe(true);
        codes.delete(rowid);
        if (i % 2 === 0) {
          const code = codeOf(next, bytes);
          codes.set(rowid, code);
          index.add(rowid, code);
        }
      }
      expect(index.size).toBe(codes.size);
    }
    expect(index.remove(-5)).toBe(false);
  });
}

test("asked for more than it holds, it answers every code once; a query equal to a code finds it first", () => {
  const index = new CodeIndex(96);
  const next = random(7);
  const codes = [codeOf(next, 96), codeOf(next, 96), codeOf(next, 96)];
  for (const [i, code] of codes.entries()) index.add(10 + i, code);
  expect(index.nearest(codeOf(next, 96), 10).sort()).toEqual([10, 11, 12]);
  expect(index.nearest(codes[1] as Uint8Array, 1)).toEqual([11]);
  // The same code twice: a tie at distance 0, broken by slot, one of them answered.
  index.add(13, codes[1] as Uint8Array);
  expect(index.nearest(codes[1] as Uint8Array, 1)).toHaveLength(1);
  expect(index.nearest(codes[1] as Uint8Array, 2).sort()).toEqual([11, 13]);
  expect(new CodeIndex(96).nearest(codes[0] as Uint8Array, 5)).toEqual([]);
});

test("codes added many at once are found as if added one by one, padded or not", () => {
  for (const bytes of [96, 12]) {
    const next = random(bytes + 1);
    const one = new CodeIndex(bytes);
    const many = new CodeIndex(bytes);
    const rowids = Array.from({ length: 2_500 }, (_, i) => i * 7 + 3);
    const codes = rowids.map(() => codeOf(next, bytes));
    for (const [i, rowid] of rowids.entries()) one.add(rowid, codes[i] as Uint8Array);
    const joined = new Uint8Array(bytes * codes.length);
    for (const [i, code] of codes.entries()) joined.set(code, i * bytes);
    many.addMany(rowids.slice(0, 1_000), joined.subarray(0, 1_000 * bytes));
    many.addMany(rowids.slice(1_000), joined.subarray(1_000 * bytes));
    expect(many.size).toBe(2_500);
    for (let q = 0; q < 5; q++) {
      const query = codeOf(next, bytes);
      expect(many.nearest(query, 30).sort()).toEqual(one.nearest(query, 30).sort());
    }
    expect(many.remove(rowids[2_499] as number)).toBe(true);
    expect(many.size).toBe(2_499);
  }
});
