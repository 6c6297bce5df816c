import { expect, test } from "bun:test";
import { codeBits, signCode } from "./sign-code.ts";

const bitsOf = (code: Uint8Array) =>
  [...code].flatMap((byte) => [0, 1, 2, 3, 4, 5, 6, 7].map((bit) => (byte >> bit) & 1));

test("sets one bit for a positive value, another for a negative one, none for zero", () => {
  const bits = bitsOf(signCode(new Float32Array([0.5, -0.25, 0, 0])));
  expect(bits).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
});

test("rounds the code up to whole bytes", () => {
  expect(codeBits(384)).toBe(768);
  expect(codeBits(3)).toBe(8);
  expect(signCode(new Float32Array(3))).toHaveLength(1);
});

test("on dense vectors the distance is twice the sign-quantized one", () => {
  const hamming = (a: Uint8Array, b: Uint8Array) =>
    bitsOf(a).filter((bit, i) => bit !== bitsOf(b)[i]).length;
  const a = new Float32Array([0.1, -0.2, 0.3, -0.4, 0.5, 0.6, -0.7, 0.8]);
  const b = new Float32Array([-0.1, -0.2, 0.3, 0.4, -0.5, 0.6, -0.7, 0.8]);
  const signDistance = [...a].filter((x, i) => x > 0 !== (b[i] ?? 0) > 0).length;
  expect(hamming(signCode(a), signCode(b))).toBe(2 * signDistance);
});
