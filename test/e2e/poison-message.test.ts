import { afterEach, expect, test } from "bun:test";
import { createConsumer, createProducer, type MeshMessage } from "../../kafka-kit/src/index.ts";
import { describeKafka, randomTopic } from "../kafka-broker.ts";
import { createUser, search, userPoints } from "./api.ts";
import { eventually, startStack, stopAll, tail } from "./stack.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await stopAll();
});

const header = (message: MeshMessage, name: string) =>
  [...message.headers].find(([key]) => key.toString() === name)?.[1].toString();

await describeKafka("a poison message on Kafka", (brokers) => {
  test("lands in user.events.dlq with the reason, and the users around it are indexed", async () => {
    const { config, users, gateway } = await startStack(brokers);
    const tenant = `poison-${crypto.randomUUID().slice(0, 6)}`;
    const topic = `${config.topicPrefix}user.events`;
    const before = await createUser(users.url, tenant, { name: "Ada Before", email: "ada@p.dev" });

    // Produced raw, as a broken producer would: no CloudEvents headers, a value that is not JSON.
    const producer = createProducer({ brokers, clientId: "e2e-poison" });
    cleanups.push(() => producer.close());
    const poison = `{"id": 7, "name": broken ${crypto.randomUUID()}`;
    await producer.send({ messages: [{ topic, key: `${tenant}/7`, value: poison }] });

    const after = await createUser(users.url, tenant, { name: "Zed After", email: "zed@p.dev" });
    for (const user of [before, after]) {
      await eventually(
        `${user.name} searchable`,
        async () =>
          (await search(gateway.url, tenant, user.name))[0]?.id === user.id ? true : undefined,
        60_000,
        () => tail([users, gateway]),
      );
    }
    expect(await userPoints(gateway.url, tenant)).toBe(2);

    const reader = createConsumer({
      brokers,
      clientId: "e2e-dlq",
      groupId: randomTopic("e2e-dlq"),
    });
    cleanups.push(() => reader.close(true));
    const stream = await reader.consume({ topics: [`${topic}.dlq`], mode: "earliest" });
    let letter: MeshMessage | undefined;
    for await (const message of stream) {
      if (message.value?.toString() === poison) {
        letter = message;
        break;
      }
    }
    await stream.close();
    expect(letter?.key?.toString()).toBe(`${tenant}/7`);
    expect(letter && header(letter, "dlq_code")).toBe("invalid_json");
    expect(letter && header(letter, "dlq_topic")).toBe(topic);
    expect(letter && header(letter, "dlq_reason")).toBeTruthy();
  });
});
