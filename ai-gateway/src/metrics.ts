import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Prefix of every gateway metric (see createMetrics' namespace). */
export const NAMESPACE = "ai_gateway";

/** The gateway's own metrics, registered on the service's registry. */
export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  // Each metric on the service's registry; label names keep their literal types.
  const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: L[] = [],
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers });
  return {
    events: counter(
      "ai_gateway_events_total",
      "Events decoded, by type and source (kafka, http).",
      ["type", "source"],
    ),
    deadLetters: counter(
      "ai_gateway_dead_letters_total",
      "Messages that could not be decoded and went to the dead letters, by reason code and source.",
      ["code", "source"],
    ),
    stale: counter(
      "ai_gateway_stale_writes_total",
      "Upserts and deletes dropped because the store holds a newer version, by collection.",
      ["collection"],
    ),
    batchSize: histogram(
      "ai_gateway_batch_size_messages",
      "Messages per processed batch.",
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    ),
    embedSeconds: histogram("ai_gateway_embed_seconds", "Time to embed one batch.", seconds),
    storeSeconds: histogram(
      "ai_gateway_store_seconds",
      "Time for the vector store to acknowledge one bulk write, by collection.",
      seconds,
      ["collection"],
    ),
    freshnessSeconds: histogram(
      "ai_gateway_freshness_seconds",
      "Time from the event's time (ce_time) to its vector being stored, by event type.",
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      ["type"],
    ),
    retries: counter(
      "ai_gateway_retries_total",
      "Retried pipeline steps after a dependency failure, by step.",
      ["step"],
    ),
    consumerLag: gauge(
      "ai_gateway_consumer_lag_messages",
      "Kafka consumer lag in messages, by topic and partition.",
      ["topic", "partition"],
    ),
    usageFailures: counter(
      "ai_gateway_usage_record_failures_total",
      "Usage increments that could not be recorded (the search was still answered), by metric.",
      ["metric"],
    ),
    cacheHits: counter(
      "ai_gateway_embedding_cache_hits_total",
      "Texts whose vector came from the embedding cache (not computed, not billed).",
    ),
    cacheMisses: counter(
      "ai_gateway_embedding_cache_misses_total",
      "Texts the embedding cache did not have (sent to the embedder unless over quota).",
    ),
    drift: gauge(
      "ai_gateway_drift_entities",
      "Entities that differ from their source at the last full reconcile run, by kind (missing, stale, orphaned, ahead) and collection.",
      ["kind", "collection"],
    ),
    rerankFallbacks: counter(
      "ai_gateway_rerank_fallbacks_total",
      "Searches answered in the fused order because the reranker timed out or failed, by reason.",
      ["reason"],
    ),
    searchSeconds: histogram(
      "ai_gateway_search_seconds",
      "Time to answer a search (embed + query), by collection.",
      seconds,
      ["collection"],
    ),
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

/**
 * `ai_gateway_code_index_bytes`: memory held by the copies of large tenants' binary codes
 * (sqlite-vec, code-cache.ts), read when /metrics is scraped.
 */
export function codeIndexGauge(registry: Registry, bytes: () => number): void {
  new Gauge({
    name: "ai_gateway_code_index_bytes",
    help: "Memory held by large tenants' binary codes copied into memory for search (sqlite-vec).",
    registers: [registry],
    collect() {
      this.set(bytes());
    },
  });
}
