import { expect, test } from "bun:test";
import { compatibilityPartitioner } from "@platformatic/kafka";
import { javaPartitioner, murmur2 } from "./partitioner.ts";

test("gives the same partition as the library's Java-compatible partitioner, for any key", () => {
  const keys = ["", "a", "ab", "abc", "abcd", "tenant-a/u0", "é€😀", "x".repeat(257)];
  for (let i = 0; i < 2_000; i++) {
    const bytes = new Uint8Array(i % 70);
    crypto.getRandomValues(bytes);
    keys.push(Buffer.from(bytes).toString("latin1"));
    keys.push(`tenant-${i % 10}/${Bun.randomUUIDv7()}`);
  }
  for (const text of keys) {
    const key = Buffer.from(text);
    expect(javaPartitioner({ topic: "t" }, key)).toBe(
      compatibilityPartitioner({ topic: "t" }, key),
    );
  }
});

test("matches Java's Utils.murmur2 on known values", () => {
  // From Kafka's UtilsTest.testMurmur2.
  const cases: [string, number][] = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ];
  for (const [text, hash] of cases) expect(murmur2(Buffer.from(text))).toBe(hash);
});

test("puts keyless messages on partition 0", () => {
  expect(javaPartitioner({ topic: "t" }, undefined)).toBe(0);
});
