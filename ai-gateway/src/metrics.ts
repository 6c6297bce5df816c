import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Prefix of every gateway metric (see createMetrics' namespace). */
export const NAMESPACE = "ai_gateway";

/** The gateway's own metrics, registered on the service's registry. */
export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    events: new Counter({
      name: "ai_gateway_events_total",
      help: "Events decoded, by type and source (kafka, http).",
      labelNames: ["type", "source"] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: "ai_gateway_dead_letters_total",
      help: "Messages that could not be decoded and went to the dead letters, by reason code and source.",
      labelNames: ["code", "source"] as const,
      registers,
    }),
    stale: new Counter({
      name: "ai_gateway_stale_writes_total",
      help: "Upserts and deletes dropped because the store holds a newer version, by collection.",
      labelNames: ["collection"] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: "ai_gateway_batch_size_messages",
      help: "Messages per processed batch.",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    embedSeconds: new Histogram({
      name: "ai_gateway_embed_seconds",
      help: "Time to embed one batch.",
      buckets: seconds,
      registers,
    }),
    storeSeconds: new Histogram({
      name: "ai_gateway_store_seconds",
      help: "Time for the vector store to acknowledge one bulk write, by collection.",
      labelNames: ["collection"] as const,
      buckets: seconds,
      registers,
    }),
    freshnessSeconds: new Histogram({
      name: "ai_gateway_freshness_seconds",
      help: "Time from the event's time (ce_time) to its vector being stored, by event type.",
      labelNames: ["type"] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    retries: new Counter({
      name: "ai_gateway_retries_total",
      help: "Retried pipeline steps after a dependency failure, by step.",
      labelNames: ["step"] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: "ai_gateway_consumer_lag_messages",
      help: "Kafka consumer lag in messages, by topic and partition.",
      labelNames: ["topic", "partition"] as const,
      registers,
    }),
    usageFailures: new Counter({
      name: "ai_gateway_usage_record_failures_total",
      help: "Usage increments that could not be recorded (the search was still answered), by metric.",
      labelNames: ["metric"] as const,
      registers,
    }),
    cacheHits: new Counter({
      name: "ai_gateway_embedding_cache_hits_total",
      help: "Texts whose vector came from the embedding cache (not computed, not billed).",
      registers,
    }),
    cacheMisses: new Counter({
      name: "ai_gateway_embedding_cache_misses_total",
      help: "Texts the embedding cache did not have (sent to the embedder unless over quota).",
      registers,
    }),
    drift: new Gauge({
      name: "ai_gateway_drift_entities",
      help: "Entities that differ from their source at the last full reconcile run, by kind (missing, stale, orphaned, ahead) and collection.",
      labelNames: ["kind", "collection"] as const,
      registers,
    }),
    rerankFallbacks: new Counter({
      name: "ai_gateway_rerank_fallbacks_total",
      help: "Searches answered in the fused order because the reranker timed out or failed, by reason.",
      labelNames: ["reason"] as const,
      registers,
    }),
    searchSeconds: new Histogram({
      name: "ai_gateway_search_seconds",
      help: "Time to answer a search (embed + query), by collection.",
      labelNames: ["collection"] as const,
      buckets: seconds,
      registers,
    }),
  };
}

/** Size gauges of the embedding cache, read from it at each scrape. */
export function registerCacheGauges(
  registry: Registry,
  cache: { stats(): { entries: number; bytes: number } },
): void {
  new Gauge({
    name: "ai_gateway_embedding_cache_entries",
    help: "Vectors held in the embedding cache.",
    registers: [registry],
    collect() {
      this.set(cache.stats().entries);
    },
  });
  new Gauge({
    name: "ai_gateway_embedding_cache_bytes",
    help: "Payload bytes of the embedding cache (vectors and keys, not file pages).",
    registers: [registry],
    collect() {
      this.set(cache.stats().bytes);
    },
  });
}

/** The gateway's metrics. */
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
