import { collectionsOf, type Registry } from "@event-mesh/contracts";
import { createLogger, createMetrics, type Logger } from "@event-mesh/service-kit";
import { createApp } from "../src/app.ts";
import { readConfig } from "../src/config.ts";
import { openDatabase } from "../src/db.ts";
import { type DeadLetterRetention, SqliteDeadLetters } from "../src/dead-letters/sqlite.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import type { Embedder } from "../src/embedders/index.ts";
import { TenantEraser } from "../src/erasure/eraser.ts";
import { FreshnessWaiters } from "../src/freshness/waiters.ts";
import { createGatewayMetrics } from "../src/metrics.ts";
import { buildPipeline } from "../src/pipeline/build.ts";
import type { Incoming } from "../src/pipeline/pipeline.ts";
import type { RerankStep } from "../src/rerank/apply.ts";
import { TenantLog } from "../src/tenants.ts";
import type { UsageMeter } from "../src/usage/index.ts";
import { SqliteUsage } from "../src/usage/sqlite.ts";
import type { VectorStore } from "../src/vectors/index.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";
import { costControls } from "../src/wiring/usage-limits.ts";

/** The operator credential of the test gateway's `/admin/*` routes. */
export const OPERATOR_TOKEN = "test-operator-credential-of-32-characters";

/** What a test may change in the gateway it gets. */
export interface TestGatewayOptions {
  /** INGEST_TOKEN; null turns ingest off. Default `ingest-secret`. */
  token?: string | null;
  /** DATA_DIR; default an in-memory database. */
  dataDir?: string;
  /** INGEST_MAX_EVENTS; default 1000. */
  maxEvents?: number;
  /** Default the hashing embedder (384 dimensions). */
  embedder?: Embedder;
  /** The usage meter; default SQLite in the same database. */
  usage?: UsageMeter;
  logger?: Logger;
  retention?: DeadLetterRetention;
  /** SEARCH_WAIT_MAX_MS; default 5000. */
  searchWaitMaxMs?: number;
  /** The event registry; default the catalog's (a test adds a type to it). */
  registry?: Registry;
  /**
   * Variables of the cost controls (EMBEDDING_CACHE_*, TENANT_LIMITS, FAIR_BATCHING) and of the
   * waiting caps (SEARCH_WAITERS_*), read
   * through the real configuration; default theirs.
   */
  env?: Record<string, string>;
  /** BATCH_MAX; default 256. */
  batchMax?: number;
  /** Called with the items of each ingest request as they are handed to the batcher. */
  onIngest?: (items: readonly Incoming[]) => void;
  /** Replicas share the vector store (what QDRANT_URL means in main.ts). */
  sharedStore?: boolean;
  /** Wraps the store the eraser uses (a test makes it fail mid-way). */
  wrapStore?: (store: VectorStore) => VectorStore;
  /** Called with each batch before the pipeline processes it (to see batch order). */
  onBatch?: (items: readonly Incoming[]) => void;
  /** A reranker for searches (RERANK_URL); its fallback counter is built here. Default none. */
  rerank?: Omit<RerankStep, "fallbacks" | "logger">;
}

/**
 * The gateway's HTTP app in embedded mode (sqlite-vec, hashing embedder, HTTP ingest through
 * the real batcher and pipeline), without a server: tests call `app.request`.
 */
export async function testGateway(options: TestGatewayOptions = {}) {
  const db = openDatabase(options.dataDir ?? ":memory:");
  const store = new SqliteVecStore(db);
  await store.init(384, collectionsOf(options.registry));
  const embedder = options.embedder ?? new HashingEmbedder(384);
  const usage = options.usage ?? new SqliteUsage(db);
  const deadLetters = new SqliteDeadLetters(db, options.retention);
  const logger = options.logger ?? createLogger({ name: "test", level: "silent" });
  const metrics = createMetrics({ namespace: "ai_gateway" });
  const gatewayMetrics = createGatewayMetrics(metrics.registry);
  const config = readConfig(options.env ?? {});
  const controls = costControls(config, db, metrics.registry);
  const batchMax = options.batchMax ?? 256;
  const freshness = new FreshnessWaiters(store, {
    maxWaitMs: options.searchWaitMaxMs ?? 5_000,
    recheckMs: 60_000,
    maxPerTenant: config.SEARCH_WAITERS_PER_TENANT,
    maxTotal: config.SEARCH_WAITERS_MAX,
  });
  const eraser = new TenantEraser({
    db,
    store: options.wrapStore?.(store) ?? store,
    collections: collectionsOf(options.registry),
    cache: controls.pipeline.cache,
    deadLetters,
    waiters: freshness,
    logger,
  });
  const { batcher } = buildPipeline(
    {
      embedder,
      store,
      deadLetters,
      usage,
      tenants: new TenantLog(db),
      eraser,
      metrics: gatewayMetrics,
      logger,
      ...controls.pipeline,
      topicPrefix: "",
      ...(options.registry ? { registry: options.registry } : {}),
    },
    {
      batching: { maxBatch: batchMax, waitMs: 2, maxQueued: 2 * batchMax, ...controls.batcher },
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      onStored: (outcome) => freshness.stored(outcome.written),
    },
  );
  const app = createApp({
    logger,
    metrics,
    gatewayMetrics,
    auth: { mode: "dev" },
    embedder,
    store,
    usage,
    ingestToken: options.token === null ? undefined : (options.token ?? "ingest-secret"),
    ingestMaxBytes: 1024 * 1024,
    ingestMaxEvents: options.maxEvents ?? 1000,
    ingest: (items) => {
      options.onIngest?.(items);
      return batcher.submit(items);
    },
    probes: { store: () => store.ping() },
    freshness,
    eraser,
    sharedStore: options.sharedStore,
    operator: { token: OPERATOR_TOKEN },
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.rerank
      ? { rerank: { ...options.rerank, fallbacks: gatewayMetrics.rerankFallbacks, logger } }
      : {}),
    ...controls.app,
  });
  return {
    app,
    db,
    store,
    deadLetters,
    metrics,
    freshness,
    eraser,
    cache: controls.pipeline.cache,
  };
}
