import { expect, test } from "bun:test";
import { foreignPartitions } from "./foreign-partitions.ts";

test("names the partitions of topics the source does not subscribe to, and only those", () => {
  const subscribed = new Set(["b.user.events", "b.task.events"]);
  const assignments = [
    { topic: "b.user.events", partitions: [0, 1] },
    { topic: "a.user.events", partitions: [1] },
    { topic: "a.task.events", partitions: [0, 2] },
    { topic: "a.tenant.events", partitions: [] },
  ];
  expect(foreignPartitions(assignments, subscribed)).toEqual([
    "a.user.events:1",
    "a.task.events:0,2",
  ]);
  expect(foreignPartitions(assignments.slice(0, 1), subscribed)).toEqual([]);
});
