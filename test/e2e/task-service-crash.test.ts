import { afterEach, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { checkCrashTwiceOnKafka } from "./producer-crash.ts";
import { stopAll } from "./stack.ts";
import { countTasks, createManyTasks } from "./task-api.ts";

afterEach(stopAll);

await describeKafka("task-service killed with kill -9 on Kafka", (brokers) => {
  test("an outbox that was not sent yet goes out after the restart, once", async () => {
    await checkCrashTwiceOnKafka(brokers, {
      name: "task-service",
      collection: "tasks",
      createMany: (url, tenant, count, from) => createManyTasks(url, tenant, count, from),
      count: countTasks,
    });
  }, 180_000);
});
