import { expect, test } from "bun:test";
import { BatchWindow } from "./batch-window.ts";

test("starts at 16 texts, then carries what the measured rate computes in the budget, doubling at most", () => {
  const window = new BatchWindow(256, 1_000);
  expect(window.size).toBe(16);
  window.answered(16, 100); // 160 texts/s: 160 in the budget, but at most twice 16
  expect(window.size).toBe(32);
  window.answered(32, 200);
  expect(window.size).toBe(64);
  window.answered(64, 400);
  expect(window.size).toBe(128);
  window.answered(128, 800);
  expect(window.size).toBe(160);
  // A slower server: the window follows it down.
  window.answered(160, 4_000);
  expect(window.size).toBe(100);
});

test("a timeout at least halves the window, and bounds it by the rate the timeout proves", () => {
  const window = new BatchWindow(256, 250);
  window.timedOut(16, 1_000); // under 16 texts/s: 4 in the 250 ms budget
  expect(window.size).toBe(4);
  window.timedOut(4, 1_000);
  expect(window.size).toBe(1);
  window.timedOut(1, 1_000);
  expect(window.size).toBe(1);
});

test("a 413 caps every later request at half what was refused", () => {
  const window = new BatchWindow(256, 10_000);
  window.tooLarge(16);
  expect(window.size).toBe(8);
  window.answered(8, 1);
  window.answered(8, 1);
  expect(window.size).toBe(8);
});

test("a one-text request that waited behind a batch does not read as a slow server", () => {
  const window = new BatchWindow(256, 1_000);
  window.answered(16, 100);
  window.answered(32, 200);
  expect(window.size).toBe(64);
  window.answered(1, 5_000);
  expect(window.size).toBe(128);
});

test("after a timeout cut it to one text, quick answers grow the window back", () => {
  const window = new BatchWindow(256, 250);
  window.timedOut(16, 1_000);
  window.timedOut(4, 1_000);
  expect(window.size).toBe(1);
  window.answered(1, 10);
  expect(window.size).toBe(2);
  window.answered(2, 10);
  expect(window.size).toBe(4);
});
