import { collectionsOf } from "@event-mesh/contracts";
import {
  createLogger,
  createMetrics,
  type Logger,
  loadDeclarations,
  metricsExposure,
  producerTokens,
  runMain,
  serve,
  serveMetrics,
  startStep,
} from "@event-mesh/service-kit";
import { createApp } from "./app.ts";
import { type GatewayConfig, readConfig, requestTimeoutMs } from "./config.ts";
import { startGenerations } from "./generations/wiring.ts";
import { codeIndexGauge, createGatewayMetrics, NAMESPACE } from "./metrics.ts";
import { startReconcile } from "./reconcile/wiring.ts";
import { CodeCache } from "./vectors/code-cache.ts";
import { appDeps } from "./wiring/app-deps.ts";
import { Closers } from "./wiring/closers.ts";
import { configuredEmbedder } from "./wiring/embedding.ts";
import { embeddedMode, type GatewayHooks, kafkaMode } from "./wiring/modes.ts";
import { gatewayPipeline } from "./wiring/pipeline.ts";
import { replicaDatabase, tenantState } from "./wiring/replica-state.ts";
import { costControls } from "./wiring/usage-limits.ts";

export type { GatewayHooks } from "./wiring/modes.ts";

/** How a caller (a test, runMain) starts the gateway. */
export interface StartOptions {
  logger?: Logger;
  hooks?: GatewayHooks;
  handleSignals?: boolean;
  exit?: (code: number) => void;
  /** Where declared producers' token variables are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * The composition root: opens each part once, from the configuration, in dependency order, and
 * registers how to close it; shutdown closes them in reverse (wiring/closers.ts).
 */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}) {
  const logger = options.logger ?? createLogger({ name: "ai-gateway", level: config.LOG_LEVEL });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  // The event types: the built-in declarations and MESH_ENTITIES'; bad ones stop start-up.
  const { registry, producers, owners } = await loadDeclarations(config.MESH_ENTITIES);
  const collections = collectionsOf(registry);
  const ingestProducers = producerTokens({ producers, owners }, options.env ?? process.env);
  const closers = new Closers(logger);
  const db = replicaDatabase(config, closers);
  const metrics = createMetrics({ namespace: NAMESPACE, processMetrics: true });
  const gatewayMetrics = createGatewayMetrics(metrics.registry);
  codeIndexGauge(metrics.registry, () => CodeCache.bytesOf(db));
  const controls = costControls(config, db, metrics.registry);
  const configured = await configuredEmbedder(config, { logger, exit, closers });
  // Vectors live in generations (generations/): the pipeline and the routes see one store.
  const gens = startGenerations(config, { db, configured: configured.embedder, logger, registry });
  const { store, embedder } = gens.generations;
  closers.add("vector store", () => store.close());
  closers.add("generations", () => gens.close());
  const storeName = config.QDRANT_URL ? "qdrant" : "sqlite-vec";
  const hint = config.QDRANT_URL ? "check QDRANT_URL" : "check DATA_DIR";
  const init = () => store.init(embedder.dims, collections);
  await startStep(init, `${storeName} store failed to start`, hint);
  const brokers = config.KAFKA_BROKERS;
  const hooks = options.hooks;
  const modeDeps = { db, logger, closers, registry, metrics: gatewayMetrics, hooks };
  const sharedStore = Boolean(config.QDRANT_URL);
  const mode = brokers
    ? await kafkaMode({ ...config, KAFKA_BROKERS: brokers }, { ...modeDeps, sharedStore })
    : embeddedMode(config, modeDeps);
  const cache = controls.pipeline.cache;
  const state = tenantState(config, { db, store, cache, logger, collections });
  const generations = gens.generations;
  const parts = { ...state, db, embedder, store, generations, mode, controls, logger, closers };
  const wired = gatewayPipeline(config, { ...parts, registry, metrics: gatewayMetrics });
  const { pipeline, batcher, stopping } = wired;
  await mode.start(batcher);
  // A model change re-embeds in the background, from the topics in a group of this replica's own.
  gens.build(mode.rebuild);
  // An erase a stop or a crash left half-way is finished before anything else of the tenant.
  const resume = () => state.eraser.resume();
  await startStep(resume, "finishing an interrupted tenant erase failed", "check the vector store");
  const drift = gatewayMetrics.drift;
  const reconcile = startReconcile(config, { store, drift, logger, registry });
  closers.add("reconcile", () => reconcile.stop());
  const ingest = (items: Parameters<typeof batcher.submit>[0]) => batcher.submit(items);
  const all = { ...parts, metrics, gatewayMetrics, configured, gens, pipeline, ingest, reconcile };
  const app = createApp(appDeps(config, { ...all, registry, ingestProducers }));
  const exposure = metricsExposure(config);
  const listener = serveMetrics({ metrics, exposure, hostname: config.HOST, logger });
  closers.add("metrics listener", () => listener?.stop());
  // SIGTERM: stop reading, finish and commit the batches in hand, close everything.
  const drain = async () => {
    stopping();
    await closers.closeAll();
  };
  const running = serve({
    fetch: app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    logger,
    exit,
    onStopping: stopping,
    onShutdown: drain,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: requestTimeoutMs(config),
    handleSignals: options.handleSignals ?? true,
  });
  const where = { mode: mode.name, store: storeName, ...mode.where };
  const started = { ...where, embedder: configured.embedder.name };
  const ingestOn = Boolean(config.INGEST_TOKEN) || ingestProducers.length > 0;
  logger.info({ ...started, ingest: ingestOn }, "ai-gateway started");
  // groupId: the consumer group of the event topics (per replica on sqlite-vec), for tests.
  const source = mode.source();
  return { ...running, app, store, pipeline, batcher, source, drain, groupId: mode.where.groupId };
}

if (import.meta.main) await runMain(() => startGateway(readConfig(process.env)));
