import { afterAll, expect, test } from "bun:test";
import { decode, dlqTopic, encode, type KafkaRecord, makeEvent } from "../contracts/src/index.ts";
import {
  createConsumer,
  createProducer,
  ensureTopics,
  type MeshMessage,
} from "../kafka-kit/src/index.ts";
import { describeKafka, randomTopic } from "./kafka-broker.ts";

const EVENTS = 1000;
const USERS = 20;

await describeKafka("@platformatic/kafka on Bun against the broker", (brokers) => {
  const prefix = `${randomTopic("smoke")}.`;
  const topic = `${prefix}user.events`;
  const dlq = dlqTopic(topic);
  const groupId = randomTopic("smoke-group");
  const producer = createProducer({ brokers, clientId: "smoke-producer" });
  afterAll(() => producer.close());

  // User u<n> gets versions 1..50, in order; tenants alternate so keys span both.
  const records: KafkaRecord[] = Array.from({ length: EVENTS }, (_, i) => {
    const user = i % USERS;
    const tenantId = user % 2 === 0 ? "tenant-a" : "tenant-b";
    const event = makeEvent("user.updated", {
      tenantId,
      source: "kafka-smoke-test",
      version: Math.floor(i / USERS) + 1,
      data: { id: `u${user}`, email: `u${user}@${tenantId}.dev`, name: `User ${i}`, tenantId },
    });
    return encode(event, { topicPrefix: prefix });
  });

  test("produces 1,000 events with an idempotent, acks=all producer", async () => {
    await ensureTopics({ brokers, topics: [topic, dlq], partitions: 3 });
    // Ten sends issued at once; the idempotent producer queues them (one request in flight).
    const batches = Array.from({ length: 10 }, (_, b) => records.slice(b * 100, b * 100 + 100));
    const results = await Promise.all(batches.map((messages) => producer.send({ messages })));
    expect(results.every((result) => (result.offsets?.length ?? 0) > 0)).toBe(true);
    expect(producer.producerId).toBeGreaterThanOrEqual(0n);
  });

  test("a group consumer gets all 1,000, in order per key, headers and values intact", async () => {
    const consumer = createConsumer({ brokers, clientId: "smoke-consumer", groupId });
    const stream = await consumer.consume({
      topics: [topic],
      mode: "committed",
      fallbackMode: "earliest",
    });
    const received: MeshMessage[] = [];
    for await (const message of stream) {
      received.push(message);
      if (received.length === EVENTS) break;
    }
    // Commit the last message of each partition: commits cover everything before them.
    const lastPerPartition = new Map(received.map((m) => [m.partition, m]));
    await Promise.all([...lastPerPartition.values()].map((message) => message.commit()));
    const committed = await consumer.listCommittedOffsets({
      topics: [{ topic, partitions: [0, 1, 2] }],
    });
    // A commit stores the offset of the next message to read: the partition's message count.
    expect((committed.get(topic) ?? []).reduce((sum, offset) => sum + offset, 0n)).toBe(
      BigInt(EVENTS),
    );
    await stream.close();
    await consumer.close();

    const byId = new Map(records.map((record) => [record.headers.ce_id, record]));
    const lastVersion = new Map<string, number>();
    for (const message of received) {
      const { topic, key, value, headers, timestamp } = message;
      const result = decode({ topic, key, value, headers, timestamp }, { topicPrefix: prefix });
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      const sent = byId.get(result.event.id);
      expect(sent).toBeDefined();
      expect(key?.toString()).toBe(sent?.key);
      expect(value?.toString()).toBe(sent?.value);
      const texts = [...headers].map(([name, text]) => [name.toString(), text.toString()]);
      expect(Object.fromEntries(texts)).toEqual(sent?.headers ?? {});
      const keyText = String(key);
      expect(result.event.version).toBe((lastVersion.get(keyText) ?? 0) + 1);
      lastVersion.set(keyText, result.event.version);
    }
    expect(new Set(received.map((m) => header(m, "ce_id"))).size).toBe(EVENTS);
    expect(lastVersion.size).toBe(USERS);
  });

  test("committed offsets survive the consumer: the group resumes after them", async () => {
    const extra = encode(
      makeEvent("user.deleted", {
        tenantId: "tenant-a",
        source: "kafka-smoke-test",
        data: { id: "u0", tenantId: "tenant-a" },
      }),
      { topicPrefix: prefix },
    );
    await producer.send({ messages: [extra] });
    const consumer = createConsumer({ brokers, clientId: "smoke-consumer-2", groupId });
    const stream = await consumer.consume({
      topics: [topic],
      mode: "committed",
      fallbackMode: "earliest",
    });
    let first: MeshMessage | undefined;
    for await (const message of stream) {
      first = message;
      break;
    }
    await stream.close();
    await consumer.close();
    expect(first?.value?.toString()).toBe(extra.value);
    expect(first && header(first, "ce_type")).toBe("user.deleted");
  });

  test("raw bytes pass through unchanged, as a dead-letter copy needs", async () => {
    const value = Buffer.from([0xff, 0xfe, 0x00, 0x7b]); // not UTF-8
    await producer.send({
      messages: [{ topic: dlq, key: "tenant-a/u0", value, headers: { "x-error": value } }],
    });
    const consumer = createConsumer({ brokers, clientId: "dlq", groupId: randomTopic("dlq") });
    const stream = await consumer.consume({ topics: [dlq], mode: "earliest" });
    for await (const message of stream) {
      expect(message.value?.equals(value)).toBe(true);
      expect([...message.headers.values()][0]?.equals(value)).toBe(true);
      const result = decode(message, { topicPrefix: prefix });
      expect(result.ok ? "decoded" : result.error.code).toBe("invalid_utf8");
      break;
    }
    await stream.close();
    await consumer.close();
  });
});

/** Header keys arrive as Buffers, so a Map lookup by a new Buffer never matches. */
function header(message: MeshMessage, name: string): string | undefined {
  for (const [key, value] of message.headers) if (key.toString() === name) return value.toString();
  return undefined;
}
