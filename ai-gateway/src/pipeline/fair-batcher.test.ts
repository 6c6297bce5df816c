import { describe, expect, test } from "bun:test";
import { Batcher } from "./batcher.ts";

/** `tenant/entity#n`: the fairness key is the part before the slash. */
const tenantOf = (item: string) => item.split("/")[0] ?? "";

describe("Batcher with fairness keys", () => {
  test("a key that arrives behind a backlog is in the next batch, each key's order kept", async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>(
      async (items) => {
        batches.push(items);
        await Bun.sleep(1);
      },
      { maxBatch: 4, waitMs: 1, maxQueued: 1000, keyOf: tenantOf },
    );
    const flood = Array.from({ length: 40 }, (_, i) => `a/e${i % 3}#${i}`);
    const a = batcher.submit(flood);
    const b = batcher.submit(["b/x#0", "b/x#1"]);
    await Promise.all([a, b]);
    const order = batches.flat();
    // Without fairness b's items would come after all 40 of a's (positions 40 and 41).
    expect(order.indexOf("b/x#0")).toBeLessThan(4);
    expect(order.indexOf("b/x#1")).toBeLessThan(8);
    expect(order.filter((item) => item.startsWith("a/"))).toEqual(flood);
    expect(order.indexOf("b/x#0")).toBeLessThan(order.indexOf("b/x#1"));
  });

  test("without keyOf, arrival order: the later key waits behind the backlog", async () => {
    const order: string[] = [];
    const batcher = new Batcher<string>(async (items) => void order.push(...items), {
      maxBatch: 4,
      waitMs: 1,
      maxQueued: 1000,
    });
    const flood = Array.from({ length: 40 }, (_, i) => `a/e#${i}`);
    await Promise.all([batcher.submit(flood), batcher.submit(["b/x#0"])]);
    expect(order.indexOf("b/x#0")).toBe(40);
  });

  test("a quiet key is admitted while a flooding key waits for room", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const batcher = new Batcher<string>(
      async (items) => {
        await gate;
        order.push(...items);
      },
      { maxBatch: 2, waitMs: 1, maxQueued: 4, keyOf: tenantOf },
    );
    const flood = batcher.submit(Array.from({ length: 20 }, (_, i) => `a/e#${i}`));
    await Bun.sleep(10);
    // a holds the batch in flight and the whole queue; it waits for room, b does not.
    expect(batcher.queued).toBe(4);
    let admitted = false;
    const ready = batcher.ready("b").then(() => {
      admitted = true;
    });
    await Bun.sleep(10);
    expect(admitted).toBe(true);
    const quiet = batcher.submit(["b/x#0"]);
    await Bun.sleep(5);
    expect(batcher.queued).toBe(5);
    let floodAdmitted = false;
    void batcher.ready("a").then(() => {
      floodAdmitted = true;
    });
    // A source that asks without a key (Kafka) gets the plain bound, never a share past it.
    let unkeyedAdmitted = false;
    void batcher.ready().then(() => {
      unkeyedAdmitted = true;
    });
    await Bun.sleep(10);
    expect(floodAdmitted).toBe(false);
    expect(unkeyedAdmitted).toBe(false);
    release();
    await Promise.all([flood, quiet, ready]);
    // b's item went into the first batch cut after it arrived (positions 2–5), far ahead of a's last.
    expect(order.indexOf("b/x#0")).toBeLessThan(6);
    expect(order).toHaveLength(21);
  });
});
