import { expect, test } from "bun:test";
import { contractTopics } from "./topics.ts";

test("lists every contract topic followed by its dead-letter topic", () => {
  expect(contractTopics()).toEqual([
    "user.events",
    "user.events.dlq",
    "tenant.events",
    "tenant.events.dlq",
    "task.events",
    "task.events.dlq",
    "billing.events",
    "billing.events.dlq",
  ]);
  expect(contractTopics("t1.")[1]).toBe("t1.user.events.dlq");
});
