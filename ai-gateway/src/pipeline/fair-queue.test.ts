import { expect, test } from "bun:test";
import { FairQueue } from "./fair-queue.ts";

test("serves lanes one item each in turn, each lane in its own order", () => {
  const queue = new FairQueue<string>();
  for (const item of ["a1", "a2", "a3", "a4"]) queue.push("a", item);
  queue.push("b", "b1");
  queue.push("b", "b2");
  queue.push("c", "c1");
  expect(queue.take(5)).toEqual(["a1", "b1", "c1", "a2", "b2"]);
  // The next call goes on where the last stopped; emptied lanes are gone.
  queue.push("d", "d1");
  expect(queue.take(10)).toEqual(["a3", "d1", "a4"]);
  expect(queue.size).toBe(0);
  expect(queue.lanes).toBe(0);
});

test("a lane that never empties keeps its order across compactions", () => {
  const queue = new FairQueue<number>();
  const taken: number[] = [];
  let next = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 100; i++) queue.push("flood", next++);
    taken.push(...queue.take(90));
  }
  taken.push(...queue.take(10_000));
  expect(taken).toEqual(Array.from({ length: next }, (_, i) => i));
  expect(queue.sizeOf("flood")).toBe(0);
});
