import {
  asyncApiDocument,
  collectionsOf,
  filterFieldsOf,
  type Registry,
  textOfCollections,
} from "@event-mesh/contracts";
import asyncapi from "@event-mesh/contracts/generated/asyncapi.json" with { type: "json" };
import {
  type AuthOptions,
  DEV_MESH_TOKEN_KEY,
  type Logger,
  type Metrics,
  type MetricsExposure,
  mountAsyncApi,
  mountDocs,
  mountHealth,
  mountMetrics,
  type OperatorAuthOptions,
  onError,
  onNoRoute,
  type Probe,
  requestDeadline,
  requestLogger,
  securityHeaders,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { except } from "hono/combine";
import type { Embedder } from "./embedders/index.ts";
import type { TenantEraser } from "./erasure/eraser.ts";
import { erasureRoutes } from "./erasure/routes.ts";
import { FreshnessWaiters } from "./freshness/waiters.ts";
import type { GenerationView } from "./generations/status.ts";
import type { TenantAdmission } from "./limits/admission.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { QuotaView } from "./pipeline/embed-step.ts";
import type { Incoming } from "./pipeline/pipeline.ts";
import type { reconcileRoutes } from "./reconcile/routes.ts";
import type { RerankStep } from "./rerank/apply.ts";
import { ingestRoutes } from "./routes/events.ts";
import type { IngestProducer } from "./routes/ingest-tokens.ts";
import { schemaRoutes } from "./routes/schemas.ts";
import { searchRoutes } from "./routes/search.ts";
import { type GenerationScope, statsRoutes } from "./routes/stats.ts";
import { usageRoutes } from "./routes/usage.ts";
import type { UsageMeter } from "./usage/index.ts";
import type { VectorStore } from "./vectors/index.ts";

/** Everything the HTTP surface depends on; `main.ts` builds the real ones, tests their own. */
export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  gatewayMetrics: GatewayMetrics;
  auth: AuthOptions;
  embedder: Embedder;
  store: VectorStore;
  usage: UsageMeter;
  /** INGEST_TOKEN; unset → `POST /events` is off. */
  ingestToken: string | undefined;
  /** Declared producers with a token set (POST /events, their own event types only). */
  ingestProducers?: readonly IngestProducer[] | undefined;
  ingestMaxBytes: number;
  /** INGEST_MAX_EVENTS: most events per `POST /events`. */
  ingestMaxEvents: number;
  /** Hands items to the pipeline; resolves once they are stored. */
  ingest: (items: Incoming[]) => Promise<void>;
  /** `/readyz` probes. */
  probes: Record<string, Probe>;
  readyTimeoutMs?: number;
  /** SEARCH_MIN_SCORE: hits below it are left out unless a search sets `minScore`. */
  searchMinScore?: number;
  /** RERANK_URL and its settings; unset → searches are never reranked. */
  rerank?: RerankStep | undefined;
  /** Operator routes (`POST /admin/reconcile`), when wired. */
  adminRoutes?: ReturnType<typeof reconcileRoutes> | undefined;
  /** `GET /admin/erasures/{tenant}`, when an eraser is wired. */
  eraser?: TenantEraser | undefined;
  /** Replicas share the vector store (Qdrant): one of them erases a tenant. */
  sharedStore?: boolean | undefined;
  /** The event types taken and their collections; default `EVENT_REGISTRY` (tests extend it). */
  registry?: Registry;
  /** TENANT_LIMITS' per-second limits (429); unset → none. */
  admission?: TenantAdmission | undefined;
  /** Today's embeddings per tenant, for `GET /usage`. */
  quota?: QuotaView | undefined;
  /** Searches waiting for a write (read-your-writes); default: 5 s bound, re-read every 100 ms. */
  freshness?: FreshnessWaiters;
  /** Past it a route answers 504 (config `requestTimeoutMs`); `/admin/*` sets its own. */
  requestTimeoutMs?: number | undefined;
  /** METRICS_PORT, METRICS_TOKEN: where `/metrics` is served; default on the app, open. */
  metricsExposure?: MetricsExposure | undefined;
  /** MESH_TOKEN_KEYS: the keys `after` tokens are checked against; default the development key. */
  meshTokenKeys?: readonly string[] | undefined;
  /**
   * The vector generations, shown by `/stats` with one tenant's counts and by `/admin/stats`
   * with the platform's (generations/status.ts).
   */
  generations?: (scope?: GenerationScope) => GenerationView[];
  /** Operator credentials of `/admin/stats`; unset → it answers 403. */
  operator?: OperatorAuthOptions | undefined;
}

/** Without a configuration: SEARCH_WAIT_MAX_MS, EMBEDDINGS_TIMEOUT_MS and a margin, defaults. */
const DEFAULT_REQUEST_TIMEOUT_MS = 40_000;

/** The gateway's HTTP app. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  const collections = collectionsOf(deps.registry);
  app.onError(onError(deps.logger));
  app.notFound(onNoRoute(app));
  app.use(requestLogger(deps.logger));
  app.use(securityHeaders());
  app.use(deps.metrics.middleware);
  // Every route answers, at worst a 504 problem, before the server would close the connection.
  app.use(except("/admin/*", requestDeadline(deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)));
  mountMetrics(app, deps.metrics, deps.metricsExposure);
  mountHealth(app, {
    probes: deps.probes,
    timeoutMs: deps.readyTimeoutMs,
    logger: deps.logger,
  });
  app.route(
    "/",
    searchRoutes({
      ...deps,
      metrics: deps.gatewayMetrics,
      minScore: deps.searchMinScore,
      collections,
      meshTokenKeys: deps.meshTokenKeys ?? [DEV_MESH_TOKEN_KEY],
      filterFields: filterFieldsOf(deps.registry),
      textOf: textOfCollections(deps.registry),
      rerank: deps.rerank,
      freshness:
        deps.freshness ?? new FreshnessWaiters(deps.store, { maxWaitMs: 5_000, recheckMs: 100 }),
    }),
  );
  app.route("/", usageRoutes(deps));
  app.route("/", schemaRoutes(deps.registry));
  app.route("/", statsRoutes({ ...deps, collections }));
  app.route(
    "/",
    ingestRoutes({
      token: deps.ingestToken,
      producers: deps.ingestProducers,
      maxBytes: deps.ingestMaxBytes,
      maxEvents: deps.ingestMaxEvents,
      ingest: deps.ingest,
      registry: deps.registry,
      admission: deps.admission,
    }),
  );
  if (deps.adminRoutes) app.route("/", deps.adminRoutes);
  if (deps.eraser)
    app.route(
      "/",
      erasureRoutes({
        eraser: deps.eraser,
        auth: deps.operator ?? {},
        sharedStore: deps.sharedStore,
      }),
    );
  // The committed document for the catalog; an injected registry gets its own, generated.
  const document = deps.registry
    ? asyncApiDocument(asyncapi.info.version, deps.registry)
    : asyncapi;
  mountAsyncApi(app, { title: "ai-gateway", document });
  mountDocs(app, {
    title: "ai-gateway",
    version: "0.1.0",
    description:
      "Consumes mesh events, embeds them in batches, and serves tenant-scoped semantic search.",
    securitySchemes: {
      ingest: {
        type: "http",
        scheme: "bearer",
        description: "INGEST_TOKEN, the producers' service token (POST /events only).",
      },
    },
  });
  return app;
}
