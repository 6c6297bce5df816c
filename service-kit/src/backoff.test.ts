import { expect, test } from "bun:test";
import { nextDelay, sleep } from "./backoff.ts";

const bounds = { baseMs: 100, maxMs: 5000 };

test("grows the ceiling exponentially and caps it", () => {
  const top = () => 0.999999;
  expect(nextDelay(0, bounds, top)).toBe(99);
  expect(nextDelay(3, bounds, top)).toBe(799);
  expect(nextDelay(10, bounds, top)).toBe(4999);
  expect(nextDelay(10_000, bounds, top)).toBe(4999);
});

test("spreads delays over the whole range (full jitter)", () => {
  expect(nextDelay(5, bounds, () => 0)).toBe(0);
  const delays = Array.from({ length: 200 }, () => nextDelay(4, bounds));
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...delays)).toBeLessThan(1600);
  expect(new Set(delays).size).toBeGreaterThan(50);
});

test("sleep ends early when aborted and never rejects", async () => {
  const controller = new AbortController();
  const slept = sleep(60_000, controller.signal);
  controller.abort();
  await expect(slept).resolves.toBeUndefined();
  await expect(sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
});
