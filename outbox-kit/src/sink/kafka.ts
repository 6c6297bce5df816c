import { encode } from "@event-mesh/contracts";
import {
  contractTopics,
  createProducer,
  ensureTopics,
  type KafkaSecurity,
  type MeshProducer,
  probeBrokers,
} from "@event-mesh/kafka-kit";
import type { Compression } from "../producer/config.ts";
import { type EventSink, eventOf, type StoredEvent } from "./index.ts";

/** Kafka sink options. */
export interface KafkaSinkOptions {
  brokers: string[];
  clientId: string;
  /** SASL and TLS of a managed cluster. */
  security?: KafkaSecurity | undefined;
  /** Prepended to every topic (tests, shared clusters). */
  topicPrefix: string;
  /** Partitions of topics created at first send. */
  partitions: number;
  compression: Compression;
}

/**
 * Kafka transport: an idempotent producer with acks=all, so a retried batch neither
 * duplicates nor reorders within a partition. Topics are created at the first successful
 * contact, not at start-up, so the service starts (and takes writes) while Kafka is down.
 */
export class KafkaSink implements EventSink {
  readonly name = "kafka";
  // The idempotent producer sends one request at a time per broker, each numbered per
  // partition: a batch handed over before the previous one settled still lands after it.
  readonly keepsSendOrder = true;
  private readonly producer: MeshProducer;
  private topicsReady = false;

  constructor(private readonly options: KafkaSinkOptions) {
    this.producer = createProducer({
      brokers: options.brokers,
      clientId: options.clientId,
      security: options.security,
      extra: {
        compression: options.compression,
        // Fail a send within seconds while the broker is down; the relay owns the backoff.
        retries: 2,
        retryDelay: 250,
        timeout: 5_000,
        connectTimeout: 3_000,
      },
    });
  }

  async send(events: readonly StoredEvent[]): Promise<void> {
    if (!this.topicsReady) {
      await ensureTopics({
        brokers: this.options.brokers,
        // Every contract topic and its dead-letter topic, so consumers find them all.
        topics: contractTopics(this.options.topicPrefix),
        partitions: this.options.partitions,
        security: this.options.security,
      });
      this.topicsReady = true;
    }
    // One produce call for the batch: the client groups it per partition, keeping order.
    await this.producer.send({
      messages: events.map((stored) => {
        const record = encode(eventOf(stored), { topicPrefix: this.options.topicPrefix });
        return {
          topic: record.topic,
          key: record.key,
          value: record.value,
          headers: record.headers,
        };
      }),
    });
  }

  async probe(signal: AbortSignal): Promise<void> {
    const timeoutMs = 2_000;
    const result = await Promise.race([
      probeBrokers(this.options.brokers, timeoutMs, this.options.security),
      new Promise<never>((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("probe aborted")), { once: true }),
      ),
    ]);
    if (!result.ok) throw new Error(`kafka unreachable: ${result.message}`);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
