import type { Database } from "bun:sqlite";
import type { Registry } from "@event-mesh/contracts";
import { describeError, type Logger } from "@event-mesh/service-kit";
import { chunkSettings, type GatewayConfig } from "../config.ts";
import { routeDeadLetters } from "../dead-letters/index.ts";
import { KafkaDeadLetters } from "../dead-letters/kafka.ts";
import type { SqliteDeadLetters } from "../dead-letters/sqlite.ts";
import type { Embedder } from "../embedders/index.ts";
import type { TenantEraser } from "../erasure/eraser.ts";
import type { FreshnessWaiters } from "../freshness/waiters.ts";
import type { Generations } from "../generations/generations.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { buildPipeline } from "../pipeline/build.ts";
import { TenantLog } from "../tenants.ts";
import type { VectorStore } from "../vectors/index.ts";
import type { Closers } from "./closers.ts";
import type { GatewayMode } from "./modes.ts";
import type { costControls } from "./usage-limits.ts";

/** What the pipeline is wired from. */
export interface PipelineParts {
  db: Database;
  embedder: Embedder;
  store: VectorStore;
  generations: Generations;
  mode: GatewayMode;
  httpLetters: SqliteDeadLetters;
  eraser: TenantEraser;
  freshness: FreshnessWaiters;
  controls: ReturnType<typeof costControls>;
  metrics: GatewayMetrics;
  logger: Logger;
  closers: Closers;
  /** The event types decoded and how each is indexed (the entity declarations). */
  registry: Registry;
}

/**
 * The batcher, the pipeline behind it and the chain of commits, with their closers: at shutdown
 * the batcher closes (the batches in hand are processed), the read-your-writes waiters are
 * released, then the commits of every stored batch go out. `stopping()`, called when shutdown
 * begins, gives up retrying a dependency still down at 80 % of SHUTDOWN_TIMEOUT_MS, so waiting
 * ingest calls still get their 503 in time.
 */
export function gatewayPipeline(config: GatewayConfig, parts: PipelineParts) {
  const { mode, controls, logger } = parts;
  const built = buildPipeline(
    {
      embedder: parts.embedder,
      store: parts.store,
      deadLetters: routeDeadLetters({
        http: parts.httpLetters,
        ...(mode.producer ? { kafka: new KafkaDeadLetters(mode.producer) } : {}),
      }),
      usage: mode.usage,
      tenants: new TenantLog(parts.db),
      eraser: parts.eraser,
      metrics: parts.metrics,
      logger,
      ...controls.pipeline,
      // Cached vectors are tagged with their generation, as computed ones (generations/).
      cache: controls.pipeline.cache && parts.generations.tagging(controls.pipeline.cache),
      topicPrefix: config.TOPIC_PREFIX,
      chunks: chunkSettings(config),
      registry: parts.registry,
      retry: { baseMs: config.RETRY_BASE_MS, maxMs: config.RETRY_MAX_MS },
    },
    {
      batching: {
        maxBatch: config.BATCH_MAX,
        waitMs: config.BATCH_WAIT_MS,
        maxQueued: config.BATCH_MAX * config.MAX_PENDING_BATCHES,
        ...controls.batcher,
      },
      ...(mode.acknowledge ? { acknowledge: mode.acknowledge } : {}),
      onAckError: (error) =>
        logger.warn({ err: describeError(error) }, "acknowledging a stored batch failed"),
      onStored: (outcome) => parts.freshness.stored(outcome.written),
    },
  );
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  // What lingers of the usage goes out now, not at the end of its linger; the commits wait for it.
  parts.closers.add("commits of stored batches", async () => {
    await mode.usage.flush?.();
    await built.acks.flush();
  });
  parts.closers.add("shutdown bound", () => clearTimeout(giveUp));
  parts.closers.add("read-your-writes waiters", () => parts.freshness.close());
  parts.closers.add("batcher", () => built.batcher.close());
  const stopping = () => {
    giveUp ??= setTimeout(
      () => built.pipeline.stop(),
      Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8),
    );
  };
  return { ...built, stopping };
}
