import { decode } from "@event-mesh/contracts";
import { createConsumer, type KafkaSecurity, type MeshConsumer } from "@event-mesh/kafka-kit";
import { describeError, type Logger, Retrier, within } from "@event-mesh/service-kit";
import { OffsetCommits } from "../sources/offset-commits.ts";
import type { UsageTally } from "./tally.ts";

/** Where the usage topic is and who reads it. */
export interface UsageReaderOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity | undefined;
  /** This replica's own group: every replica reads every partition. */
  groupId: string;
  /** `billing.events` with the topic prefix. */
  topic: string;
  topicPrefix: string;
  tally: UsageTally;
  logger: Logger;
  /** Offsets are committed at most this often (KAFKA_COMMIT_INTERVAL_MS; offset-commits.ts). */
  commitIntervalMs: number;
}

/**
 * Reads the whole usage topic into this replica's `UsageTally`, so `GET /usage` on any replica
 * answers the total of every replica's metering. The tally is the truth (it keeps its own
 * offsets); the Kafka commit only spares re-reading what was counted, so it is not awaited, and
 * goes out at most once per interval, not once per event.
 */
export class UsageReader {
  readonly #options: UsageReaderOptions;
  #consumer: MeshConsumer | null = null;
  #loop: Promise<void> | null = null;
  #stopping = false;
  readonly #stop = new AbortController();
  readonly #commits: OffsetCommits;

  constructor(options: UsageReaderOptions) {
    this.#options = options;
    this.#commits = new OffsetCommits({
      intervalMs: options.commitIntervalMs,
      current: () => this.#consumer,
      logger: options.logger,
    });
  }

  start(): void {
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const { brokers, clientId, security, groupId, topic, topicPrefix, tally, logger } =
      this.#options;
    const retrier = new Retrier({ baseMs: 200, maxMs: 5_000 }, this.#stop.signal);
    while (!this.#stopping) {
      const consumer = createConsumer({ brokers, clientId, security, groupId });
      this.#consumer = consumer;
      try {
        const stream = await consumer.consume({
          topics: [topic],
          autocommit: false,
          mode: "committed",
          fallbackMode: "earliest",
          maxWaitTime: 500,
        });
        for await (const message of stream) {
          if (this.#stopping) break;
          retrier.succeeded();
          const result = decode(message, { topicPrefix });
          const { partition, offset } = message;
          if (result.ok && result.event.type === "billing.usage.incremented") {
            const { tenantId, metric, amount } = result.event.data;
            tally.add([{ topic, partition, offset, tenantId, metric, amount }]);
          } else {
            if (!result.ok)
              logger.warn(
                { partition, offset, reason: result.error.message },
                "usage event skipped",
              );
            tally.skip(topic, partition, offset);
          }
          this.#commits.add(message, consumer);
          void this.#commits.commitUnlessTimed();
        }
      } catch (error) {
        if (!this.#stopping)
          logger.warn({ err: describeError(error) }, "usage topic reader failed; reopening");
      }
      // A failed stream's queued commits are dropped once its consumer is replaced (the tally
      // keeps its own offsets, so nothing is counted twice).
      await consumer.close(true).catch(() => {});
      if (!this.#stopping) await retrier.failed();
    }
  }

  async close(): Promise<void> {
    this.#stopping = true;
    this.#stop.abort();
    // What was counted is committed before the consumer leaves; bounded, since the commit only
    // spares a re-read and a broker that is down must not hold up the shutdown.
    await within(this.#commits.flush(), 2_000);
    await this.#consumer?.close(true).catch(() => {});
    await this.#loop?.catch(() => {});
  }
}
