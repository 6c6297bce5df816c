import { afterAll, expect, test } from "bun:test";
import { topicFor } from "@event-mesh/contracts";
import { createProducer, ensureTopics } from "@event-mesh/kafka-kit";
import { createLogger, eventually } from "@event-mesh/service-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { openDatabase } from "../src/db.ts";
import { KafkaUsage } from "../src/usage/kafka.ts";
import { UsageReader } from "../src/usage/reader.ts";
import { UsageTally } from "../src/usage/tally.ts";
import { committed, endOffset } from "./offsets.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

await describeKafka("usage metering over a real Kafka broker", (brokers) => {
  /** A fresh billing topic and a KafkaUsage publishing to it. */
  async function meterOnTopic(name: string, lingerMs?: number) {
    const prefix = `${randomTopic(name)}.`;
    const topic = `${prefix}${topicFor("billing.usage.incremented")}`;
    await ensureTopics({ brokers, topics: [topic], partitions: 1 });
    const producer = createProducer({ brokers, clientId: name });
    cleanups.push(() => producer.close());
    const tally = new UsageTally(openDatabase(":memory:"));
    const usage = new KafkaUsage(producer, tally, {
      topicPrefix: prefix,
      source: "urn:event-mesh:usage-test",
      ...(lingerMs === undefined ? {} : { lingerMs }),
    });
    /** Starts a reader of the topic into the tally, in group `groupId`. */
    const startReader = (groupId: string) => {
      const reader = new UsageReader({
        brokers,
        clientId: name,
        groupId,
        topic,
        topicPrefix: prefix,
        tally,
        logger: createLogger({ name: "usage-test", level: "silent" }),
        commitIntervalMs: 100,
      });
      reader.start();
      cleanups.push(() => reader.close());
    };
    return { topic, usage, startReader };
  }

  test("increments recorded at once go out together, summed, and every one is counted", async () => {
    const { topic, usage, startReader } = await meterOnTopic("usage-test");

    // 60 callers at once, as a busy gateway's batches and searches record: each waits for its
    // own increments to be published.
    const calls = [
      ...Array.from({ length: 40 }, () =>
        usage.record([{ tenantId: "tenant-a", metric: "embeddings", amount: 2 }]),
      ),
      ...Array.from({ length: 20 }, () =>
        usage.record([{ tenantId: "tenant-b", metric: "searches", amount: 1 }]),
      ),
    ];
    await Promise.all(calls);
    // Published before the callers were answered, in far fewer messages than calls.
    const messages = await endOffset(brokers, topic);
    expect(messages).toBeGreaterThan(0n);
    expect(messages).toBeLessThan(20n);

    const groupId = randomTopic("usage-group");
    startReader(groupId);
    await eventually("every increment counted", async () => {
      const [a, b] = [await usage.totals("tenant-a"), await usage.totals("tenant-b")];
      return a.embeddings === 80 && b.searches === 20 ? true : undefined;
    });
    // The reader's offset goes out within its interval, once, not once per message.
    await eventually("the reader's offset committed", async () =>
      (await committed(brokers, groupId, topic, [0])) === messages ? true : undefined,
    );
  });

  test("lingering increments wait for one send; an HTTP batch's record or a flush takes them along", async () => {
    const { topic, usage, startReader } = await meterOnTopic("usage-linger", 60_000);
    const settled: string[] = [];
    const batches = Array.from({ length: 10 }, (_, i) =>
      usage
        .record([{ tenantId: "tenant-a", metric: "embeddings", amount: 3 }], { linger: true })
        .then(() => settled.push(`batch ${i}`)),
    );
    await Bun.sleep(100);
    // Ten batches' usage held back by the linger: nothing published, no caller answered.
    expect(await endOffset(brokers, topic)).toBe(0n);
    expect(settled).toEqual([]);

    // HTTP ingest is answered after its usage is published: it does not linger, and the Kafka
    // batches' increments go out with it.
    await usage.record([{ tenantId: "tenant-b", metric: "embeddings", amount: 1 }]);
    await Promise.all(batches);
    expect(settled).toHaveLength(10);
    expect(await endOffset(brokers, topic)).toBe(2n); // summed: one per tenant and metric

    // At shutdown, `flush` sends what lingers.
    const late = usage.record([{ tenantId: "tenant-a", metric: "embeddings", amount: 5 }], {
      linger: true,
    });
    await usage.flush();
    await late;
    expect(await endOffset(brokers, topic)).toBe(3n);

    // A thousand searches' counts of five tenants, while the linger holds them: one entry per
    // tenant and metric waits, and goes out as five messages.
    const searches = Array.from({ length: 1_000 }, (_, i) =>
      usage.record([{ tenantId: `tenant-s${i % 5}`, metric: "searches", amount: 1 }], {
        linger: true,
      }),
    );
    await usage.flush();
    await Promise.all(searches);
    expect(await endOffset(brokers, topic)).toBe(8n);

    startReader(randomTopic("usage-linger-group"));
    await eventually("every increment counted", async () => {
      const [a, b] = [await usage.totals("tenant-a"), await usage.totals("tenant-b")];
      const searched = await Promise.all(
        [0, 1, 2, 3, 4].map(async (i) => (await usage.totals(`tenant-s${i}`)).searches),
      );
      return a.embeddings === 35 && b.embeddings === 1 && searched.every((n) => n === 200)
        ? true
        : undefined;
    });
  });

  test("a send that fails fails each caller whose increments it carried", async () => {
    // A producer that can no longer send (closed, as at shutdown): each send is refused.
    const producer = createProducer({ brokers, clientId: "usage-test-closed" });
    await producer.close();
    const usage = new KafkaUsage(producer, new UsageTally(openDatabase(":memory:")), {
      topicPrefix: `${randomTopic("usage-closed")}.`,
      source: "urn:event-mesh:usage-test",
    });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        usage.record([{ tenantId: "tenant-a", metric: "searches", amount: 1 }]),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill("rejected"));
  });
});
