import { afterEach, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { createMany, listUsers } from "./api.ts";
import { checkCrashTwiceOnKafka } from "./producer-crash.ts";
import { stopAll } from "./stack.ts";

afterEach(stopAll);

await describeKafka("user-service killed with kill -9 on Kafka", (brokers) => {
  test("an outbox that was not sent yet goes out after the restart, once", async () => {
    await checkCrashTwiceOnKafka(brokers, {
      name: "user-service",
      collection: "users",
      createMany: (url, tenant, count, from) =>
        createMany(url, tenant, count, { concurrency: 16, from }),
      count: async (url, tenant) => (await listUsers(url, tenant)).length,
    });
  }, 180_000);
});
