import {
  createConsumer,
  type KafkaSecurity,
  type MeshConsumer,
  type MeshMessage,
} from "@event-mesh/kafka-kit";
import { describeError, type Logger, Retrier, within } from "@event-mesh/service-kit";
import type { MessagesStream } from "@platformatic/kafka";
import type { GatewayMetrics } from "../metrics.ts";
import type { Incoming, KafkaIncoming } from "../pipeline/pipeline.ts";
import { foreignPartitions } from "./foreign-partitions.ts";
import type { Source } from "./index.ts";
import { OffsetCommits } from "./offset-commits.ts";

/** Where and what `KafkaSource` consumes, and where it hands messages. */
export interface KafkaSourceOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity | undefined;
  groupId: string;
  /** Full topic names (prefix applied). */
  topics: string[];
  /** Waits for room in the batcher: while it waits, the source stops reading (backpressure). */
  ready: () => Promise<void>;
  /** Queues one item; its promise settles once the item's batch was handled. */
  submit: (items: Incoming[]) => Promise<void>;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Offsets are committed at most this often (KAFKA_COMMIT_INTERVAL_MS; offset-commits.ts). */
  commitIntervalMs: number;
}

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/** Most bytes per fetch request (see `#consume`). */
const FETCH_MAX_BYTES = 1024 * 1024;

/**
 * Consumer group on the event topics with auto-commit off. Offsets are committed after the batch
 * holding the messages is stored (`ack`), gathered per partition at most every
 * `commitIntervalMs` (offset-commits.ts), and all of them when the source closes. After a
 * rebalance, messages this process already stored (but whose commit had not gone out, or was
 * lost) are skipped, not processed twice; another owner reads them again, and the stores take
 * them again without change.
 */
export class KafkaSource implements Source {
  readonly name = "kafka";
  readonly #options: KafkaSourceOptions;
  #consumer: MeshConsumer | null = null;
  #stream: Stream | null = null;
  #loop: Promise<void> | null = null;
  #stopping = false;
  /** Next offset to process per `topic/partition`, from batches this process stored. */
  readonly #storedUpTo = new Map<string, bigint>();
  readonly #messages = new WeakMap<Incoming, { message: MeshMessage; consumer: MeshConsumer }>();
  readonly #subscribed: ReadonlySet<string>;
  /** Partitions of topics this source does not read, held since the last join (`/readyz`). */
  #foreign: string[] = [];
  readonly #commits: OffsetCommits;

  constructor(options: KafkaSourceOptions) {
    this.#options = options;
    this.#commits = new OffsetCommits({
      intervalMs: options.commitIntervalMs,
      current: () => this.#consumer,
      logger: options.logger,
    });
    this.#subscribed = new Set(options.topics);
  }

  async start(): Promise<void> {
    this.#consumer = this.#newConsumer();
    this.#stream = await this.#consume();
    this.#loop = this.#run();
  }

  /** A consumer with the metrics and log listeners, lag monitoring on. */
  #newConsumer(): MeshConsumer {
    const { brokers, clientId, security, groupId, topics, metrics, logger } = this.#options;
    const consumer = createConsumer({ brokers, clientId, security, groupId });
    consumer.on("consumer:lag", (lag) => {
      for (const [topic, partitions] of lag) {
        partitions.forEach((value, partition) => {
          if (value >= 0n)
            metrics.consumerLag.set({ topic, partition: String(partition) }, Number(value));
        });
      }
    });
    consumer.on("consumer:group:rebalance", () =>
      logger.info({ groupId }, "consumer group rebalancing"),
    );
    consumer.on("consumer:group:join", (payload) => {
      const assignments = payload.assignments ?? [];
      logger.info(
        { groupId, assignments: assignments.map((a) => `${a.topic}:${a.partitions.join(",")}`) },
        "joined consumer group",
      );
      this.#noteForeign(assignments);
    });
    consumer.startLagMonitoring({ topics }, 5_000);
    return consumer;
  }

  /** Logs partitions of topics this source does not read; `/readyz` fails while it holds any. */
  #noteForeign(assignments: readonly { topic: string; partitions: number[] }[]): void {
    this.#foreign = foreignPartitions(assignments, this.#subscribed);
    if (this.#foreign.length === 0) return;
    this.#options.logger.error(
      {
        groupId: this.#options.groupId,
        foreign: this.#foreign,
        subscribed: [...this.#subscribed],
      },
      "assigned partitions of topics this gateway does not consume; they stay unread while the " +
        "group's leader ignores subscriptions (another deployment sharing KAFKA_GROUP_ID, or an " +
        "older gateway leading the group)",
    );
  }

  /**
   * Replaces the consumer after a failure. @platformatic/kafka 2.12 leaves a consumer whose
   * group join failed (e.g. while the broker restarts) with its topics still tracked, so the
   * next consume() skips the join and returns a stream of a member that never heartbeats:
   * `isActive()` stays false and, after a broker restart, nothing more is read. A new consumer
   * joins from scratch and resumes from the committed offsets (see e2e broker-outage test).
   */
  async #replaceConsumer(): Promise<void> {
    const old = this.#consumer;
    this.#consumer = null;
    if (old) {
      old.stopLagMonitoring();
      // Bounded: a consumer cut off from its broker may not finish closing.
      await within(
        old.close(true).catch(() => {}),
        5_000,
      );
    }
    if (!this.#stopping) this.#consumer = this.#newConsumer();
  }

  async #consume(): Promise<Stream> {
    if (!this.#consumer) throw new Error("not started");
    return this.#consumer.consume({
      topics: this.#options.topics,
      autocommit: false,
      mode: "committed",
      fallbackMode: "earliest",
      maxWaitTime: 500,
      // The library's default (50 MB per fetch) lets one fetch of a backlog hold every message
      // at once, parsed: 100,000 user events took the gateway to 720 MB RSS. 1 MB per fetch
      // (about 3,000 user events) keeps the pipeline fed at the same rate with far less memory.
      maxBytes: FETCH_MAX_BYTES,
    });
  }

  /** Reads until stopped; a broken stream (e.g. a commit refused mid-rebalance) is reopened. */
  async #run(): Promise<void> {
    const retrier = new Retrier({ baseMs: 200, maxMs: 5_000 });
    while (!this.#stopping) {
      try {
        const stream = this.#stream ?? (await this.#consume());
        this.#stream = stream;
        for await (const message of stream) {
          if (this.#stopping) break;
          retrier.succeeded();
          // Not ours (see foreign-partitions.ts): dead-lettering or committing it would move
          // another deployment's partition past a message that deployment never stored.
          if (!this.#subscribed.has(message.topic)) continue;
          const key = `${message.topic}/${message.partition}`;
          if (message.offset < (this.#storedUpTo.get(key) ?? -1n)) continue;
          await this.#options.ready();
          if (this.#stopping) break;
          const item: KafkaIncoming = { source: "kafka", message };
          if (this.#consumer) this.#messages.set(item, { message, consumer: this.#consumer });
          // Failures are reported by the batch handler; an unacknowledged message is redelivered.
          this.#options.submit([item]).catch(() => {});
        }
      } catch (error) {
        if (this.#stopping) break;
        this.#options.logger.warn({ err: describeError(error) }, "kafka stream failed; reopening");
        await this.#stream?.close().catch(() => {});
        this.#stream = null;
        await this.#replaceConsumer();
      }
      this.#stream = null;
      if (!this.#stopping) await retrier.failed();
    }
  }

  async ack(items: readonly Incoming[]): Promise<void> {
    for (const item of items) {
      const read = this.#messages.get(item);
      if (!read) continue;
      const { message, consumer } = read;
      const key = `${message.topic}/${message.partition}`;
      // Skipped if read again (a rebalance, a replaced consumer), whether or not committed yet.
      if ((this.#storedUpTo.get(key) ?? -1n) < message.offset + 1n)
        this.#storedUpTo.set(key, message.offset + 1n);
      this.#commits.add(message, consumer);
    }
    await this.#commits.commitUnlessTimed();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
  }

  async close(): Promise<void> {
    this.#stopping = true;
    this.#consumer?.stopLagMonitoring();
    // What is stored is committed before the consumer leaves: a restart reads nothing again.
    await this.#commits.flush();
    await this.#stream?.close().catch(() => {});
    await this.#loop?.catch(() => {});
    await this.#consumer?.close(true).catch(() => {});
  }

  async probe(): Promise<void> {
    if (!this.#consumer?.isActive()) throw new Error("kafka consumer is not active");
    if (!this.#stream) throw new Error("kafka stream is reopening");
    if (this.#foreign.length > 0)
      throw new Error(
        `group ${this.#options.groupId} assigned partitions of topics this gateway does not ` +
          `consume: ${this.#foreign.join(" ")}`,
      );
  }
}
