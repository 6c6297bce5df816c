import type { Registry } from "@event-mesh/contracts";
import {
  authOptions,
  type Logger,
  type Metrics,
  meshTokenKeysOf,
  metricsExposure,
  operatorOptions,
} from "@event-mesh/service-kit";
import type { AppDeps } from "../app.ts";
import { type GatewayConfig, requestTimeoutMs } from "../config.ts";
import type { EmbedderHealth } from "../embedders/health.ts";
import type { Embedder } from "../embedders/index.ts";
import { embedderProbe } from "../embedders/probe.ts";
import type { TenantEraser } from "../erasure/eraser.ts";
import type { FreshnessWaiters } from "../freshness/waiters.ts";
import { generationViews, tenantViews } from "../generations/status.ts";
import type { startGenerations } from "../generations/wiring.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { startReconcile } from "../reconcile/wiring.ts";
import { HttpReranker } from "../rerank/http.ts";
import type { GatewayMode } from "./modes.ts";
import type { costControls } from "./usage-limits.ts";

/** The parts start-up made that the HTTP app serves. */
export interface AppParts {
  logger: Logger;
  metrics: Metrics;
  gatewayMetrics: GatewayMetrics;
  embedder: Embedder;
  /** The embedder the configuration names (its probe), and its health. */
  configured: { embedder: Embedder; health: EmbedderHealth };
  gens: ReturnType<typeof startGenerations>;
  mode: GatewayMode;
  pipeline: Pipeline;
  ingest: AppDeps["ingest"];
  eraser: TenantEraser;
  freshness: FreshnessWaiters;
  reconcile: ReturnType<typeof startReconcile>;
  controls: ReturnType<typeof costControls>;
  /** The event types (the entity declarations), their producers and owners. */
  registry: Registry;
  /** Declared producers with a token set (service-kit `producerTokens`). */
  ingestProducers: AppDeps["ingestProducers"];
}

/** `createApp`'s dependencies from the configuration and the parts start-up made. */
export function appDeps(config: GatewayConfig, parts: AppParts): AppDeps {
  const { gens, gatewayMetrics, pipeline } = parts;
  const store = gens.generations.store;
  return {
    adminRoutes: parts.reconcile.routes,
    registry: parts.registry,
    eraser: parts.eraser,
    sharedStore: Boolean(config.QDRANT_URL),
    logger: parts.logger,
    metrics: parts.metrics,
    gatewayMetrics,
    auth: authOptions(config),
    embedder: parts.embedder,
    store,
    usage: parts.mode.usage,
    ingestToken: config.INGEST_TOKEN,
    ingestProducers: parts.ingestProducers,
    ingestMaxBytes: config.INGEST_MAX_BYTES,
    ingestMaxEvents: config.INGEST_MAX_EVENTS,
    ingest: parts.ingest,
    readyTimeoutMs: config.READY_TIMEOUT_MS,
    searchMinScore: config.SEARCH_MIN_SCORE,
    rerank: config.RERANK_URL
      ? {
          reranker: new HttpReranker({
            url: config.RERANK_URL,
            model: config.RERANK_MODEL,
            apiKey: config.RERANK_API_KEY,
          }),
          candidates: config.RERANK_CANDIDATES,
          timeoutMs: config.RERANK_TIMEOUT_MS,
          fallbacks: gatewayMetrics.rerankFallbacks,
          logger: parts.logger,
        }
      : undefined,
    requestTimeoutMs: requestTimeoutMs(config),
    meshTokenKeys: meshTokenKeysOf(config),
    metricsExposure: metricsExposure(config),
    ...parts.controls.app,
    freshness: parts.freshness,
    generations: (scope) => {
      const all = generationViews(gens.table, gens.generations.current().row.id);
      return scope ? tenantViews(gens.table, all, scope.tenantId, scope.points) : all;
    },
    operator: operatorOptions(config),
    probes: {
      store: () => store.ping(),
      pipeline: async () => {
        const health = pipeline.health();
        if (!health.ok)
          throw new Error(`${health.step} failing since ${health.since}: ${health.error}`);
      },
      ...parts.mode.probes(),
      ...(config.EMBEDDINGS_URL
        ? { embedder: embedderProbe(parts.configured.embedder, parts.configured.health) }
        : {}),
    },
  };
}
