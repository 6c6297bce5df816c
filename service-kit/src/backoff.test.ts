import { expect, test } from "bun:test";
import { nextDelay, Retrier, retry, sleep } from "./backoff.ts";

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

test("retry runs the work until it succeeds, honouring a longer Retry-After", async () => {
  let calls = 0;
  const failures: [number, number][] = [];
  const result = await retry(
    async () => {
      calls++;
      if (calls < 3) throw new Error(`attempt ${calls}`);
      return "done";
    },
    {
      backoff: { baseMs: 1, maxMs: 2 },
      hintedMs: (error) => (String(error).includes("attempt 2") ? 30 : 0),
      onFailure: (_error, attempt, delayMs) => failures.push([attempt, delayMs]),
    },
  );
  expect(result).toBe("done");
  expect(failures.map(([attempt]) => attempt)).toEqual([1, 2]);
  expect(failures[1]?.[1]).toBe(30);
});

test("retry stops with the caller's error when its signal aborts", async () => {
  const stop = new AbortController();
  const pending = retry(
    async () => {
      stop.abort();
      throw new Error("down");
    },
    {
      backoff: { baseMs: 10_000, maxMs: 10_000 },
      signal: stop.signal,
      stopped: () => new Error("stopped"),
    },
  );
  await expect(pending).rejects.toThrow("stopped");
});

test("a Retrier starts over after a success", () => {
  const retrier = new Retrier({ baseMs: 1_000, maxMs: 1_000_000 });
  for (let i = 0; i < 5; i++) retrier.nextDelay();
  expect(retrier.attempts).toBe(5);
  retrier.succeeded();
  expect(retrier.attempts).toBe(0);
  expect(retrier.nextDelay()).toBeLessThan(1_000);
});
