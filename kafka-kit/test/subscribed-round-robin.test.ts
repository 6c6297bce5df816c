import { afterEach, expect, test } from "bun:test";
import { eventually } from "../../service-kit/src/poll.ts";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { createConsumer, createProducer, ensureTopics, type MeshConsumer } from "../src/index.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A group member reading `topics`; collects "topic:partition:value" of what it receives. */
async function member(brokers: string[], groupId: string, name: string, topics: string[]) {
  const consumer = createConsumer({ brokers, clientId: name, groupId });
  cleanups.push(() => consumer.close(true));
  const received: string[] = [];
  const stream = await consumer.consume({
    topics,
    autocommit: false,
    mode: "committed",
    fallbackMode: "earliest",
    maxWaitTime: 200,
  });
  stream.on("data", (message) => {
    received.push(`${message.topic}:${message.partition}:${message.value?.toString()}`);
  });
  return { consumer, received, topics };
}

/** "topic:partition" of every partition the consumer holds now. */
function held(consumer: MeshConsumer): string[] {
  return (consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`));
}

await describeKafka("subscribedRoundRobin on a real broker", (brokers) => {
  // A rolling upgrade in which the new version also reads t3: while old and new members share
  // the group, the library's round-robin either leaves t3 unread (old member leads: it deals
  // only its own topics) or hands t3 partitions to the old member, which never fetches them.
  for (const leader of ["old", "new"] as const) {
    test(`rolling upgrade with one extra topic (${leader} member leads): every partition is read by a member that subscribes to it`, async () => {
      const base = randomTopic("upgrade");
      const [t1, t2, t3] = [`${base}.t1`, `${base}.t2`, `${base}.t3`];
      await ensureTopics({ brokers, topics: [t1, t2, t3], partitions: 2 });
      const groupId = randomTopic("upgrade-group");
      const specs = { old: [t1, t2], new: [t1, t2, t3] };
      const first = await member(brokers, groupId, leader, specs[leader]);
      const other = leader === "old" ? "new" : "old";
      const second = await member(brokers, groupId, other, specs[other]);
      const byName = { [leader]: first, [other]: second } as Record<"old" | "new", typeof first>;
      const all = [t1, t2, t3].flatMap((t) => [`${t}:0`, `${t}:1`]).sort();
      const explain = () =>
        `old holds ${held(byName.old.consumer).join(",")}; new holds ${held(byName.new.consumer).join(",")}`;

      // Both members joined the same generation and between them hold every partition once.
      await eventually(
        "both members to hold every partition between them",
        async () =>
          (first.consumer.generationId === second.consumer.generationId &&
            [...held(first.consumer), ...held(second.consumer)].sort().join() === all.join()) ||
          undefined,
        45_000,
        explain,
      );
      expect(held(byName.old.consumer).filter((p) => p.startsWith(t3))).toEqual([]);
      expect(
        held(byName.new.consumer)
          .filter((p) => p.startsWith(t3))
          .sort(),
      ).toEqual([`${t3}:0`, `${t3}:1`]);

      const producer = createProducer({ brokers, clientId: "upgrade-producer" });
      cleanups.push(() => producer.close());
      const sent = [t1, t2, t3].flatMap((topic) =>
        [0, 1].map((partition) => `${topic}:${partition}:m-${topic.slice(-2)}-${partition}`),
      );
      await producer.send({
        messages: sent.map((entry) => {
          const [topic, partition, value] = entry.split(":") as [string, string, string];
          return { topic, partition: Number(partition), value };
        }),
      });
      // A set: a fetch sent just before the rebalance may still deliver a record of a partition
      // the member has since given up (at-least-once; the gateway's writes are idempotent).
      const reached = () => [...new Set([...first.received, ...second.received])].sort();
      await eventually(
        "every message to reach a member",
        async () => reached().length >= sent.length || undefined,
        45_000,
        () => `${explain()}; received ${reached().join(",")}`,
      );
      expect(reached()).toEqual(sent.sort());
      expect(byName.old.received.filter((m) => m.startsWith(t3))).toEqual([]);
    }, 90_000);
  }
});
