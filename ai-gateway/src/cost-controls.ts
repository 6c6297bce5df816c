import type { Database } from "bun:sqlite";
import type { Registry } from "prom-client";
import type { GatewayConfig } from "./config.ts";
import { SqliteEmbeddingCache } from "./embedders/sqlite-cache.ts";
import { TenantAdmission } from "./limits/admission.ts";
import { registerCacheGauges } from "./metrics.ts";
import type { Incoming } from "./pipeline/pipeline.ts";
import { EmbeddingQuotaLog } from "./usage/quota.ts";

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
 * configuration: what `main.ts` spreads into the pipeline, the batcher and the app.
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
