import { describe, expect, test } from "bun:test";
import { chunkPointId, chunkText } from "./chunks.ts";

const sentence = (i: number) => `Sentence number ${i} talks about topic ${i * 7}. `;
const long = Array.from({ length: 120 }, (_, i) => sentence(i)).join("");

describe("chunkText", () => {
  test("a short text is one chunk, the whole text", () => {
    expect(chunkText("fix the login page")).toEqual([
      { index: 0, start: 0, end: 18, text: "fix the login page" },
    ]);
  });

  test("a long text becomes overlapping chunks within the size, cut after sentences", () => {
    const chunks = chunkText(long, { chars: 1000, overlap: 200, maxChunks: 64 });
    expect(chunks.length).toBeGreaterThan(long.length / 1000);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(i);
      expect(chunk.text).toBe(long.slice(chunk.start, chunk.end));
      expect(chunk.end - chunk.start).toBeLessThanOrEqual(1000);
      if (chunk.end < long.length) expect(chunk.text.trimEnd().endsWith(".")).toBe(true);
      const next = chunks[i + 1];
      if (next) expect(next.start).toBeLessThan(chunk.end);
    }
    expect(chunks[0]?.start).toBe(0);
    expect(chunks.at(-1)?.end).toBe(long.length);
  });

  test("a text without spaces is cut at the size; the last chunk is a whole window ending it", () => {
    const chunks = chunkText("x".repeat(2500), { chars: 1000, overlap: 100, maxChunks: 64 });
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 1000],
      [900, 1900],
      [1500, 2500],
    ]);
  });

  test("chunk point ids are stable and distinct per index", () => {
    expect(chunkPointId("p", 1)).toBe(chunkPointId("p", 1));
    expect(chunkPointId("p", 1)).not.toBe(chunkPointId("p", 2));
    expect(chunkPointId("p", 1)).not.toBe(chunkPointId("q", 1));
  });
});
