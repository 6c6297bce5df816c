import { afterAll, expect, test } from "bun:test";
import {
  contractTopics,
  createConsumer,
  createProducer,
  ensureTopics,
  type MeshConsumer,
  partitionCounts,
} from "../kafka-kit/src/index.ts";
import { eventually } from "../service-kit/src/poll.ts";
import { describeKafka, randomTopic, restartBlocker, restartLocalBroker } from "./kafka-broker.ts";

await describeKafka("ensureTopics", (brokers) => {
  test("creates missing topics with the partitions asked for, and is idempotent", async () => {
    const topics = [randomTopic("ensure"), randomTopic("ensure")];
    const first = await ensureTopics({ brokers, topics, partitions: 4 });
    expect(first).toEqual({ created: topics, existing: [] });
    const again = await ensureTopics({ brokers, topics, partitions: 4 });
    expect(again).toEqual({ created: [], existing: topics });
    const counts = await partitionCounts({ brokers, topics });
    expect([...counts.values()]).toEqual([4, 4]);
  });

  test("creates every contract topic and its dead-letter topic", async () => {
    const prefix = `${randomTopic("contract")}.`;
    const result = await ensureTopics({ brokers, topics: contractTopics(prefix) });
    expect(result.created).toHaveLength(8);
    expect(result.created).toContain(`${prefix}user.events.dlq`);
  });

  test("replicas starting at once: each call succeeds while another's new topics elect leaders", async () => {
    // Eight rounds of four callers with the same new topics, as gateways started together: a
    // caller that lists topics while another's are still electing their leader waits it out.
    for (let round = 0; round < 8; round++) {
      const topics = contractTopics(`${randomTopic("together")}.`);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => ensureTopics({ brokers, topics, partitions: 3 })),
      );
      const created = results.flatMap((result) => result.created).sort();
      expect(created).toEqual([...topics].sort());
      for (const result of results) expect(result.created.length + result.existing.length).toBe(8);
    }
  }, 120_000);
});

const blocker = await restartBlocker();

await describeKafka("the local broker", (brokers) => {
  const topic = randomTopic("restart");
  const groupId = randomTopic("restart-group");
  const producer = createProducer({ brokers, clientId: "restart-producer" });
  afterAll(() => producer.close());

  test.skipIf(blocker !== null)(
    "keeps messages and committed offsets across a restart",
    async () => {
      await ensureTopics({ brokers, topics: [topic], partitions: 1 });
      const messages = Array.from({ length: 20 }, (_, i) => ({ topic, key: "k", value: `m${i}` }));
      await producer.send({ messages });
      // Read and commit the first half, so the restart must keep the group's offset too.
      const before = await readValues(
        createConsumer({ brokers, clientId: "r1", groupId }),
        topic,
        10,
      );
      expect(before).toEqual(messages.slice(0, 10).map((m) => m.value));

      await restartLocalBroker();

      // The producer created before the restart reconnects on its own; while the partition's
      // leader is still being elected a send fails with a retriable error (NOT_LEADER_OR_FOLLOWER)
      // and is sent again, as the relay does.
      await eventually(
        "a send through the producer made before the restart",
        async () =>
          (await producer.send({ messages: [{ topic, key: "k", value: "after" }] })) && true,
        60_000,
        () => "",
        500,
      );
      // The group's coordinator comes back a moment after the broker answers (it reloads the
      // offsets topic first); until then joining fails with the retriable NOT_COORDINATOR, which a
      // consumer meets as an error. Nothing is committed before all 11 are read, so try again.
      const after = await eventually(
        "the group to be served again after the restart",
        () => readValues(createConsumer({ brokers, clientId: "r2", groupId }), topic, 11),
        60_000,
        () => "",
        500,
      );
      expect(after).toEqual([...messages.slice(10).map((m) => m.value), "after"]);
    },
    120_000,
  );
});

/** Reads `count` values from the group's committed position, commits them, leaves the group. */
async function readValues(consumer: MeshConsumer, topic: string, count: number) {
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: "committed",
      fallbackMode: "earliest",
    });
    const values: string[] = [];
    for await (const message of stream) {
      values.push(message.value.toString());
      if (values.length === count) {
        await message.commit();
        break;
      }
    }
    await stream.close();
    return values;
  } finally {
    await consumer.close();
  }
}
