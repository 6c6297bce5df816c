import { afterAll, expect, test } from "bun:test";
import { collectionsOf, encode, fromStructured, gatewayTopics } from "@event-mesh/contracts";
import { INVOICE_REGISTRY, invoicePaid } from "@event-mesh/contracts/test/invoice-registry.ts";
import { contractTopics, createProducer, ensureTopics } from "@event-mesh/kafka-kit";
import { createLogger, createMetrics, eventually } from "@event-mesh/service-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { openDatabase } from "../src/db.ts";
import { SqliteDeadLetters } from "../src/dead-letters/sqlite.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { createGatewayMetrics } from "../src/metrics.ts";
import { buildPipeline } from "../src/pipeline/build.ts";
import { KafkaSource } from "../src/sources/kafka.ts";
import { TenantLog } from "../src/tenants.ts";
import { SqliteUsage } from "../src/usage/sqlite.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

await describeKafka("a type added to the registry alone, over a real Kafka broker", (brokers) => {
  test("its topic is created, consumed, and its events stored in its collection", async () => {
    const registry = INVOICE_REGISTRY;
    const prefix = `${randomTopic("registry")}.`;
    const created = await ensureTopics({
      brokers,
      topics: contractTopics(prefix, registry),
      partitions: 1,
    });
    expect(created.created).toContain(`${prefix}invoice.events`);
    expect(created.created).toContain(`${prefix}invoice.events.dlq`);

    const db = openDatabase(":memory:");
    const store = new SqliteVecStore(db);
    await store.init(384, collectionsOf(registry));
    const embedder = new HashingEmbedder(384);
    const logger = createLogger({ name: "registry-test", level: "silent" });
    const metrics = createGatewayMetrics(createMetrics({ namespace: "ai_gateway" }).registry);
    let source: KafkaSource | null = null;
    const { batcher } = buildPipeline(
      {
        embedder,
        store,
        deadLetters: new SqliteDeadLetters(db),
        usage: new SqliteUsage(db),
        tenants: new TenantLog(db),
        metrics,
        logger,
        topicPrefix: prefix,
        registry,
      },
      {
        batching: { maxBatch: 64, waitMs: 20, maxQueued: 256 },
        acknowledge: async (items) => await source?.ack(items),
      },
    );
    const consumed = gatewayTopics(registry).map((topic) => `${prefix}${topic}`);
    expect(consumed).toContain(`${prefix}invoice.events`);
    source = new KafkaSource({
      brokers,
      clientId: "registry-test",
      groupId: randomTopic("registry-group"),
      topics: consumed,
      ready: () => batcher.ready(),
      submit: (items) => batcher.submit(items),
      logger,
      metrics,
      commitIntervalMs: 0,
    });
    const started = source;
    cleanups.push(async () => {
      await started.stop();
      await batcher.close();
      await started.close();
      db.close();
    });
    await started.start();

    const read = fromStructured(
      invoicePaid("tenant-a", "inv-7", "Katherine Johnson", "Orbital mechanics, annual plan"),
      registry,
    );
    if (!read.ok) throw new Error(read.error.message);
    const record = encode(read.event, { topicPrefix: prefix, registry });
    expect(record.topic).toBe(`${prefix}invoice.events`);
    const producer = createProducer({ brokers, clientId: "registry-test-producer" });
    cleanups.push(() => producer.close());
    await producer.send({
      messages: [{ ...record, headers: new Map(Object.entries(record.headers)) }],
    });

    const [query] = await embedder.embed(["Katherine Johnson"]);
    if (!(query instanceof Float32Array)) throw new Error("no query vector");
    const hits = await eventually("the invoice to be stored", async () => {
      const found = await store.search("invoices", "tenant-a", query, 5);
      return found.length > 0 ? found : undefined;
    });
    expect(hits.map(({ id, data }) => ({ id, data }))).toEqual([
      { id: "inv-7", data: { id: "inv-7", customer: "Katherine Johnson", amountCents: 4200 } },
    ]);
    // Joining a consumer group alone can take seconds on a busy machine: not bun's default 5 s.
  }, 90_000);
});
