import { afterEach, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { checkUserFlow } from "./flow.ts";
import { startStack, stopAll } from "./stack.ts";

afterEach(stopAll);

await describeKafka("stack on Kafka", (brokers) => {
  test("users of two tenants become searchable, stay apart, and follow renames and deletes", async () => {
    await checkUserFlow(await startStack(brokers));
  });
});
