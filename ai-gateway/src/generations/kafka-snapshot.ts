import { type AnyMeshEvent, decode, type Registry } from "@event-mesh/contracts";
import { createConsumer, type KafkaSecurity, type MeshConsumer } from "@event-mesh/kafka-kit";
import type { SnapshotSource } from "./builder.ts";

/** Where the topics are read from. */
export interface KafkaSnapshotOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity | undefined;
  /** A group of its own (`<KAFKA_GROUP_ID>-reembed-g<N>`): the live group's offsets stay put. */
  groupId: string;
  /** Full topic names (prefix applied). */
  topics: string[];
  topicPrefix: string;
  registry?: Registry | undefined;
  /** Events per batch handed to the builder. */
  batchSize?: number;
}

/**
 * The event topics from their beginning up to the end they had when the build started, in
 * batches. Later events reach the new generation through the live pipeline, so the end is fixed
 * up front and the build finishes. Messages that do not decode are skipped: the live consumer
 * already dead-lettered them.
 */
export function kafkaSnapshot(options: KafkaSnapshotOptions): SnapshotSource {
  const consumer: MeshConsumer = createConsumer(options);
  const batchSize = options.batchSize ?? 500;
  /** Next offset to reach per `topic/partition`, and the first one still held. */
  const bounds = async () => {
    const ends = await consumer.listOffsets({ topics: options.topics });
    const starts = await consumer.listOffsets({ topics: options.topics, timestamp: -2n });
    const left = new Map<string, bigint>();
    let total = 0n;
    for (const [topic, partitions] of ends) {
      partitions.forEach((end, partition) => {
        const start = starts.get(topic)?.[partition] ?? 0n;
        if (end > start) left.set(`${topic}/${partition}`, end);
        total += end - start;
      });
    }
    return { left, total: Number(total) };
  };
  let fixed: Awaited<ReturnType<typeof bounds>> | null = null;
  const fix = async () => {
    fixed ??= await bounds();
    return fixed;
  };
  return {
    total: async () => (await fix()).total,
    async *batches(signal) {
      const { left } = await fix();
      if (left.size === 0) return void (await consumer.close());
      const stream = await consumer.consume({ topics: options.topics, mode: "earliest" });
      let batch: AnyMeshEvent[] = [];
      try {
        for await (const message of stream) {
          if (signal?.aborted) break;
          const key = `${message.topic}/${message.partition}`;
          const end = left.get(key);
          if (end === undefined || message.offset >= end) continue;
          if (message.offset + 1n >= end) left.delete(key);
          const result = decode(message, {
            topicPrefix: options.topicPrefix,
            ...(options.registry ? { registry: options.registry } : {}),
          });
          if (result.ok) batch.push(result.event);
          if (batch.length >= batchSize || left.size === 0) {
            yield batch;
            batch = [];
          }
          if (left.size === 0) break;
        }
        if (batch.length > 0) yield batch;
      } finally {
        await stream.close().catch(() => {});
        await consumer.close(true).catch(() => {});
      }
    },
  };
}
