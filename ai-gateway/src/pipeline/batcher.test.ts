import { describe, expect, test } from "bun:test";
import { Batcher, BatcherClosedError } from "./batcher.ts";

describe("Batcher", () => {
  test("cuts batches at maxBatch and keeps arrival order", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        batches.push(items);
      },
      { maxBatch: 3, waitMs: 5, maxQueued: 100 },
    );
    await batcher.submit([1, 2, 3, 4, 5, 6, 7]);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  test("gathers items submitted separately within the wait into one batch", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        batches.push(items);
      },
      { maxBatch: 100, waitMs: 50, maxQueued: 100 },
    );
    await Promise.all([batcher.submit([1]), batcher.submit([2]), batcher.submit([3])]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  test("a failed batch rejects its submitters, later batches still run", async () => {
    let calls = 0;
    const batcher = new Batcher<number>(
      async () => {
        if (calls++ === 0) throw new Error("store down");
      },
      { maxBatch: 1, waitMs: 1, maxQueued: 100 },
    );
    const first = batcher.submit([1]);
    const second = batcher.submit([2]);
    await expect(first).rejects.toThrow("store down");
    await second;
    expect(calls).toBe(2);
  });

  test("submit waits while the queue is full (bounded memory)", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = new Batcher<number>(() => gate, { maxBatch: 2, waitMs: 1, maxQueued: 2 });
    void batcher.submit([1, 2]); // taken as the in-flight batch
    await Bun.sleep(10);
    void batcher.submit([3, 4]); // fills the queue
    await Bun.sleep(5);
    let admitted = false;
    const third = batcher.ready().then(() => {
      admitted = true;
    });
    await Bun.sleep(20);
    expect(admitted).toBe(false);
    expect(batcher.queued).toBe(2);
    release();
    await third;
    expect(admitted).toBe(true);
  });

  test("one large submit never queues more than maxQueued items", async () => {
    const seenQueued: number[] = [];
    const handled: number[] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        seenQueued.push(batcher.queued);
        handled.push(...items);
      },
      { maxBatch: 4, waitMs: 1, maxQueued: 8 },
    );
    const items = Array.from({ length: 1000 }, (_, i) => i);
    await batcher.submit(items);
    expect(handled).toEqual(items);
    expect(Math.max(...seenQueued)).toBeLessThanOrEqual(8);
  });

  test("close handles what is queued, then refuses new items", async () => {
    const seen: number[] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        seen.push(...items);
      },
      { maxBatch: 10, waitMs: 10_000, maxQueued: 100 },
    );
    const pending = batcher.submit([1, 2]);
    await batcher.close();
    await pending;
    expect(seen).toEqual([1, 2]);
    await expect(batcher.submit([3])).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
