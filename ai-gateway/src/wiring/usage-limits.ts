// Usage metering and the cost limits, wired in one place: which meter records usage (local SQLite,
// or the billing topic with a reader that tallies every replica's), the embedding cache, the
// daily quota, the per-second limits and fair batching.
import type { Database } from "bun:sqlite";
import { topicFor } from "@event-mesh/contracts";
import type { KafkaSecurity, MeshProducer } from "@event-mesh/kafka-kit";
import type { Logger } from "@event-mesh/service-kit";
import type { Registry } from "prom-client";
import type { GatewayConfig } from "../config.ts";
import { SqliteEmbeddingCache } from "../embedders/sqlite-cache.ts";
import { TenantAdmission } from "../limits/admission.ts";
import { registerCacheGauges } from "../metrics.ts";
import type { Incoming } from "../pipeline/pipeline.ts";
import type { UsageMeter } from "../usage/index.ts";
import { KafkaUsage } from "../usage/kafka.ts";
import { EmbeddingQuotaLog } from "../usage/quota.ts";
import { UsageReader } from "../usage/reader.ts";
import { SqliteUsage } from "../usage/sqlite.ts";
import { UsageTally } from "../usage/tally.ts";
import type { Closers } from "./closers.ts";

/**
 * The fairness key of an item: its tenant for HTTP ingest. Kafka items share one FIFO lane: the
 * source commits each partition up to the highest offset of a stored batch, so reordering Kafka
 * messages across tenants could commit past one not yet stored.
 */
export function tenantLane(item: Incoming): string {
  if (item.source === "http" && item.result.ok) return `http:${item.result.event.tenantId}`;
  return item.source;
}

/**
 * The embedding cache, the daily quota, the per-second limits and fair batching, from the
 * configuration: what start-up spreads into the pipeline, the batcher and the app.
 */
export function costControls(config: GatewayConfig, db: Database, registry: Registry) {
  const cache =
    config.EMBEDDING_CACHE_MAX_ENTRIES > 0
      ? new SqliteEmbeddingCache(db, {
          maxEntries: config.EMBEDDING_CACHE_MAX_ENTRIES,
          maxAgeDays: config.EMBEDDING_CACHE_MAX_AGE_DAYS,
        })
      : undefined;
  if (cache) registerCacheGauges(registry, cache);
  const quota = new EmbeddingQuotaLog(db, config.TENANT_LIMITS);
  const admission = config.TENANT_LIMITS.none
    ? undefined
    : new TenantAdmission(config.TENANT_LIMITS);
  return {
    pipeline: { cache, quota, cacheScope: config.EMBEDDING_CACHE_SCOPE },
    batcher: { keyOf: config.FAIR_BATCHING ? tenantLane : undefined },
    app: { admission, quota },
  };
}

/** Where usage goes in Kafka mode: the billing topic, read back into a tally of every replica. */
export interface KafkaUsageWiring {
  brokers: string[];
  producer: MeshProducer;
  security: KafkaSecurity | undefined;
  /** The consumer group of this replica's usage reader. */
  groupId: string;
}

/**
 * The usage meter: the billing topic when `kafka` is given (its reader started, and closed with
 * `closers`), else this replica's SQLite file.
 */
export function usageMeter(
  config: GatewayConfig,
  deps: { db: Database; logger: Logger; closers: Closers; kafka?: KafkaUsageWiring },
): UsageMeter {
  const { kafka } = deps;
  if (!kafka) return new SqliteUsage(deps.db);
  const tally = new UsageTally(deps.db);
  const reader = new UsageReader({
    brokers: kafka.brokers,
    clientId: config.KAFKA_CLIENT_ID,
    security: kafka.security,
    groupId: kafka.groupId,
    topic: `${config.TOPIC_PREFIX}${topicFor("billing.usage.incremented")}`,
    topicPrefix: config.TOPIC_PREFIX,
    tally,
    logger: deps.logger,
    commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
  });
  reader.start();
  deps.closers.add("usage reader", () => reader.close());
  return new KafkaUsage(kafka.producer, tally, {
    topicPrefix: config.TOPIC_PREFIX,
    source: "urn:event-mesh:ai-gateway",
    lingerMs: config.USAGE_LINGER_MS,
  });
}
