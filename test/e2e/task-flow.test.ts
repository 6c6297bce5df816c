import { afterEach, describe, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { startFullStack, stopAll } from "./stack.ts";
import { checkTaskFlow } from "./task-flow.ts";

afterEach(stopAll);

const title =
  "tasks of two tenants become searchable, stay apart, and follow updates, completion and deletes";

describe("embedded stack with task-service (SQLite, sqlite-vec, HTTP delivery)", () => {
  test(title, async () => {
    await checkTaskFlow(await startFullStack());
  }, 120_000);
});

await describeKafka("stack with task-service on Kafka", (brokers) => {
  test(title, async () => {
    await checkTaskFlow(await startFullStack(brokers));
  }, 120_000);
});
