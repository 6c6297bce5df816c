// The two ways the gateway takes events: embedded (HTTP ingest only, usage in SQLite) and Kafka
// (the event topics through a consumer group, usage on the billing topic, dead letters to the DLQ
// topic). Each is opened once at start-up and answers the same shape, so main.ts does not branch.
import type { Database } from "bun:sqlite";
import { gatewayTopics, type Registry } from "@event-mesh/contracts";
import {
  contractTopics,
  createProducer,
  ensureTopics,
  type KafkaSecurity,
  type MeshProducer,
  refusalReason,
} from "@event-mesh/kafka-kit";
import { kafkaSecurity, type Logger, type Probe, startStep } from "@event-mesh/service-kit";
import type { GatewayConfig } from "../config.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { Incoming } from "../pipeline/pipeline.ts";
import { gatewayGroups, replicaId } from "../replica/replica-id.ts";
import { KafkaSource } from "../sources/kafka.ts";
import type { UsageMeter } from "../usage/index.ts";
import type { Closers } from "./closers.ts";
import { usageMeter } from "./usage-limits.ts";

/** Test hooks; production passes none. */
export interface GatewayHooks {
  /** Runs after a batch is stored and before its offsets are committed. */
  beforeCommit?: (items: readonly Incoming[]) => Promise<void>;
}

/** Where the pipeline's batcher takes items from a source. */
export interface BatchIntake {
  ready(): Promise<void>;
  submit(items: Incoming[]): Promise<void>;
}

/** What a mode gives start-up. Everything it opens is closed through the `Closers` it was given. */
export interface GatewayMode {
  name: "embedded" | "kafka";
  usage: UsageMeter;
  /** The producer of the DLQ and billing topics (Kafka mode). */
  producer: MeshProducer | null;
  /** Commits stored Kafka messages (after `beforeCommit`); none in embedded mode. */
  acknowledge?: ((items: Incoming[]) => Promise<void>) | undefined;
  /** Starts reading events into the pipeline (Kafka); embedded mode reads nothing itself. */
  start(intake: BatchIntake): Promise<void>;
  /** The consumer, once started (tests read it). */
  source(): KafkaSource | null;
  /** `/readyz` probes of the mode. */
  probes(): Record<string, Probe>;
  /** Where a new generation replays events from: the live group (Kafka mode). */
  rebuild: { groupId: string; security: KafkaSecurity | undefined } | undefined;
  /** For the start-up log line and tests: this replica and its consumer group. */
  where: { replica?: string; groupId?: string };
}

/** Embedded mode: events arrive over HTTP only; usage is this replica's SQLite file. */
export function embeddedMode(
  config: GatewayConfig,
  deps: { db: Database; logger: Logger; closers: Closers },
): GatewayMode {
  return {
    name: "embedded",
    usage: usageMeter(config, deps),
    producer: null,
    start: async () => {},
    source: () => null,
    probes: () => ({}),
    rebuild: undefined,
    where: {},
  };
}

/**
 * Kafka mode: the contract's topics (created when missing), a producer, the usage reader, and a
 * consumer of the event topics started by `start`. A cluster that refuses this client (a wrong
 * credential, an untrusted certificate) stops start-up with the one line `refusalReason` gives.
 */
export async function kafkaMode(
  config: GatewayConfig & { KAFKA_BROKERS: string[] },
  deps: {
    db: Database;
    logger: Logger;
    closers: Closers;
    metrics: GatewayMetrics;
    sharedStore: boolean;
    hooks?: GatewayHooks | undefined;
    registry: Registry;
  },
): Promise<GatewayMode> {
  const { closers, logger } = deps;
  const brokers = config.KAFKA_BROKERS;
  const prefix = config.TOPIC_PREFIX;
  const security = kafkaSecurity(config);
  await startStep(
    () =>
      ensureTopics({
        brokers,
        topics: contractTopics(prefix, deps.registry),
        partitions: config.TOPIC_PARTITIONS,
        security,
      }),
    `cannot set up the Kafka topics at ${brokers.join(",")}`,
    "start the broker or fix KAFKA_BROKERS",
    (error) => refusalReason(error, security),
  );
  const replica = replicaId(deps.db);
  const groups = gatewayGroups(config.KAFKA_GROUP_ID, replica, deps.sharedStore);
  const producer = createProducer({ brokers, clientId: config.KAFKA_CLIENT_ID, security });
  closers.add("kafka producer", () => producer.close());
  const usage = usageMeter(config, {
    ...deps,
    kafka: { brokers, producer, security, groupId: groups.usage },
  });
  let source: KafkaSource | null = null;
  // Closed after the pipeline's last commits (closers run in reverse): they need the consumer.
  closers.add("kafka consumer", () => source?.close());
  return {
    name: "kafka",
    usage,
    producer,
    acknowledge: async (items) => {
      await deps.hooks?.beforeCommit?.(items);
      await source?.ack(items);
    },
    async start(intake) {
      const started = new KafkaSource({
        brokers,
        clientId: config.KAFKA_CLIENT_ID,
        security,
        groupId: groups.events,
        topics: gatewayTopics(deps.registry).map((topic) => `${prefix}${topic}`),
        ready: () => intake.ready(),
        submit: (items) => intake.submit(items),
        logger,
        metrics: deps.metrics,
        commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
      });
      source = started;
      await startStep(
        () => started.start(),
        `cannot join consumer group ${groups.events} at ${brokers.join(",")}`,
        "start the broker or fix KAFKA_BROKERS",
        (error) => refusalReason(error, security),
      );
      // Stops reading first at shutdown, before the batches in hand are flushed.
      closers.add("kafka reading", () => started.stop());
    },
    source: () => source,
    probes: () => (source ? { kafka: () => (source as KafkaSource).probe() } : {}),
    rebuild: { groupId: groups.events, security },
    where: { replica, groupId: groups.events },
  };
}
