import {
  createConsumer,
  type KafkaSecurity,
  type MeshConsumer,
  type MeshMessage,
} from "@event-mesh/kafka-kit";
import { describeError, type Logger, Retrier, sleep } from "@event-mesh/service-kit";
import type { MessagesStream } from "@platformatic/kafka";
import type { GatewayMetrics } from "../metrics.ts";
import type { Incoming, KafkaIncoming } from "../pipeline/pipeline.ts";
import { foreignPartitions } from "./foreign-partitions.ts";
import type { Source } from "./index.ts";

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
}

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/** Most bytes per fetch request (see `#consume`). */
const FETCH_MAX_BYTES = 1024 * 1024;

/** Longest wait for an offset commit before the batch moves on without it. */
const COMMIT_TIMEOUT_MS = 15_000;

/** `promise`, or a rejection after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Consumer group on the event topics with auto-commit off. Offsets are committed by `ack`, after
 * the batch holding the messages is stored, through the stream's own commit queue so that a
 * rebalance flushes what is done before partitions move. After a rebalance, messages this process
 * already stored (but whose commit was lost) are skipped, not processed twice.
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

  constructor(options: KafkaSourceOptions) {
    this.#options = options;
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
      await Promise.race([old.close(true).catch(() => {}), sleep(5_000)]);
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
    const last = new Map<string, { message: MeshMessage; consumer: MeshConsumer }>();
    for (const item of items) {
      const read = this.#messages.get(item);
      if (!read) continue;
      const key = `${read.message.topic}/${read.message.partition}`;
      const previous = last.get(key);
      if (!previous || previous.message.offset < read.message.offset) last.set(key, read);
    }
    await Promise.all(
      [...last].map(async ([key, { message, consumer }]) => {
        this.#storedUpTo.set(key, message.offset + 1n);
        // Read by a consumer since replaced: its commit would never settle (the library keeps a
        // manual commit queued until that consumer is active again). The new consumer re-reads
        // from the last commit and skips what is stored (#storedUpTo).
        if (consumer !== this.#consumer) return;
        try {
          await withTimeout(Promise.resolve(message.commit()), COMMIT_TIMEOUT_MS);
        } catch (error) {
          // Lost to a rebalance: the next owner re-reads from the last commit; the writes are
          // idempotent (deterministic ids, version checks), so that costs time, not correctness.
          // A timeout means the consumer is not in its group right now; the offset stays queued
          // and goes out when it rejoins. Either way the batch must not wait: that would stall
          // every later batch.
          this.#options.logger.warn(
            { partition: key, err: describeError(error) },
            "offset commit failed",
          );
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.#stopping = true;
  }

  async close(): Promise<void> {
    this.#stopping = true;
    this.#consumer?.stopLagMonitoring();
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
