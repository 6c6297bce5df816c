import type { Database } from "bun:sqlite";
import { topicFor } from "@event-mesh/contracts";
import {
  contractTopics,
  createProducer,
  ensureTopics,
  type KafkaSecurity,
  type MeshProducer,
  refusalReason,
} from "@event-mesh/kafka-kit";
import { type Logger, startStep } from "@event-mesh/service-kit";
import type { GatewayConfig } from "./config.ts";
import { gatewayGroups, replicaId } from "./replica/replica-id.ts";
import { KafkaUsage } from "./usage/kafka.ts";
import { UsageReader } from "./usage/reader.ts";
import { UsageTally } from "./usage/tally.ts";

/** What Kafka mode adds to the gateway. */
export interface GatewayKafka {
  producer: MeshProducer;
  usage: KafkaUsage;
  reader: UsageReader;
  /** Group of the event topics (see gatewayGroups). */
  eventsGroup: string;
  replica: string;
}

/**
 * Topics, producer and the usage topic reader. A cluster that refuses this client (a wrong
 * credential, an untrusted certificate) stops start-up with the one line `refusalReason` gives;
 * a cluster that does not answer, with a line naming KAFKA_BROKERS.
 */
export async function startKafka(
  config: GatewayConfig & { KAFKA_BROKERS: string[] },
  deps: { db: Database; security: KafkaSecurity | undefined; sharedStore: boolean; logger: Logger },
): Promise<GatewayKafka> {
  const brokers = config.KAFKA_BROKERS;
  const prefix = config.TOPIC_PREFIX;
  await startStep(
    () =>
      ensureTopics({
        brokers,
        topics: contractTopics(prefix),
        partitions: config.TOPIC_PARTITIONS,
        security: deps.security,
      }),
    `cannot set up the Kafka topics at ${brokers.join(",")}`,
    "start the broker or fix KAFKA_BROKERS",
    (error) => refusalReason(error, deps.security),
  );
  const replica = replicaId(deps.db);
  const groups = gatewayGroups(config.KAFKA_GROUP_ID, replica, deps.sharedStore);
  const producer = createProducer({
    brokers,
    clientId: config.KAFKA_CLIENT_ID,
    security: deps.security,
  });
  const tally = new UsageTally(deps.db);
  const usage = new KafkaUsage(producer, tally, {
    topicPrefix: prefix,
    source: "urn:event-mesh:ai-gateway",
  });
  const reader = new UsageReader({
    brokers,
    clientId: config.KAFKA_CLIENT_ID,
    security: deps.security,
    groupId: groups.usage,
    topic: `${prefix}${topicFor("billing.usage.incremented")}`,
    topicPrefix: prefix,
    tally,
    logger: deps.logger,
  });
  reader.start();
  return { producer, usage, reader, eventsGroup: groups.events, replica };
}
