import { gatewayTopics } from "@event-mesh/contracts";
import { refusalReason } from "@event-mesh/kafka-kit";
import {
  authOptions,
  createLogger,
  createMetrics,
  describeError,
  kafkaSecurity,
  type Logger,
  meshTokenKeysOf,
  metricsExposure,
  operatorOptions,
  prepareDataDir,
  runMain,
  serve,
  serveMetrics,
  startCheckpointer,
  startStep,
} from "@event-mesh/service-kit";
import { createApp } from "./app.ts";
import { type GatewayConfig, readConfig, requestTimeoutMs } from "./config.ts";
import { costControls } from "./cost-controls.ts";
import { GATEWAY_WAL_PAGES, openDatabase } from "./db.ts";
import { routeDeadLetters } from "./dead-letters/index.ts";
import { KafkaDeadLetters } from "./dead-letters/kafka.ts";
import { SqliteDeadLetters } from "./dead-letters/sqlite.ts";
import { startEmbedder } from "./embedders/create.ts";
import { embedderProbe } from "./embedders/probe.ts";
import { TenantEraser } from "./erasure/eraser.ts";
import { FreshnessWaiters } from "./freshness/waiters.ts";
import { generationViews, tenantViews } from "./generations/status.ts";
import { startGenerations } from "./generations/wiring.ts";
import { type GatewayKafka, startKafka } from "./kafka-wiring.ts";
import { createGatewayMetrics, NAMESPACE } from "./metrics.ts";
import { buildPipeline } from "./pipeline/build.ts";
import type { Incoming } from "./pipeline/pipeline.ts";
import { startReconcile } from "./reconcile/wiring.ts";
import { HttpReranker } from "./rerank/http.ts";
import { KafkaSource } from "./sources/kafka.ts";
import { TenantLog } from "./tenants.ts";
import type { UsageMeter } from "./usage/index.ts";
import { SqliteUsage } from "./usage/sqlite.ts";
import { COLLECTIONS } from "./vectors/index.ts";

/** Test hooks; production passes none. */
export interface GatewayHooks {
  /** Runs after a batch is stored and before its offsets are committed. */
  beforeCommit?: (items: readonly Incoming[]) => Promise<void>;
}

/** The one place that picks adapters from configuration and wires them. */
export async function startGateway(
  config: GatewayConfig,
  options: {
    logger?: Logger;
    hooks?: GatewayHooks;
    handleSignals?: boolean;
    exit?: (code: number) => void;
  } = {},
) {
  const logger = options.logger ?? createLogger({ name: "ai-gateway", level: config.LOG_LEVEL });
  const db = openDatabase(
    config.DATA_DIR === ":memory:" ? ":memory:" : prepareDataDir(config.DATA_DIR),
  );
  const stopCheckpointer =
    config.DATA_DIR === ":memory:" ? null : startCheckpointer(db, db.filename, GATEWAY_WAL_PAGES);
  const metrics = createMetrics({ namespace: NAMESPACE, processMetrics: true });
  const gatewayMetrics = createGatewayMetrics(metrics.registry);
  const controls = costControls(config, db, metrics.registry);

  // Before the store: a collection must not be created with a size the model does not give.
  // A server not up yet is waited for in the background, `/readyz` naming it meanwhile.
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const embedderWait = new AbortController();
  const { embedder: configured, health: embedderHealth } = await startEmbedder(config, {
    logger,
    signal: embedderWait.signal,
    onWrongDims: (line) => {
      // What start-up would have stopped with, had the server been up: the same line, exit 1.
      logger.fatal({ model: config.EMBEDDINGS_MODEL }, line);
      logger.flush();
      console.error(line);
      exit(1);
    },
  });
  const storeName = config.QDRANT_URL ? "qdrant" : "sqlite-vec";
  // Vectors live in generations (generations/): the pipeline and the routes see one store.
  const gens = startGenerations(config, { db, configured, logger });
  const { store, embedder } = gens.generations;
  await startStep(
    () => store.init(embedder.dims),
    `${storeName} store failed to start`,
    config.QDRANT_URL ? "check QDRANT_URL" : "check DATA_DIR",
  );

  const brokers = config.KAFKA_BROKERS;
  const prefix = config.TOPIC_PREFIX;
  const localUsage = new SqliteUsage(db);
  const httpLetters = new SqliteDeadLetters(db, {
    maxRows: config.DLQ_MAX_ROWS,
    maxAgeDays: config.DLQ_MAX_AGE_DAYS,
  });
  const security = kafkaSecurity(config);
  const kafka: GatewayKafka | null = brokers
    ? await startKafka(
        { ...config, KAFKA_BROKERS: brokers },
        { db, security, sharedStore: Boolean(config.QDRANT_URL), logger },
      )
    : null;
  const producer = kafka?.producer ?? null;
  const usage: UsageMeter = kafka?.usage ?? localUsage;
  const freshness = new FreshnessWaiters(store, {
    maxWaitMs: config.SEARCH_WAIT_MAX_MS,
    recheckMs: config.SEARCH_WAIT_RECHECK_MS,
    maxPerTenant: config.SEARCH_WAITERS_PER_TENANT,
    maxTotal: config.SEARCH_WAITERS_MAX,
    onError: (err) => logger.warn({ err: describeError(err) }, "read-your-writes re-check failed"),
  });
  // Erasure reaches every store of this replica (erasure/eraser.ts); the Kafka DLQ topic and
  // the billing topic are logs, kept by retention (README, "Erasure").
  const eraser = new TenantEraser({
    db,
    store,
    collections: COLLECTIONS,
    cache: controls.pipeline.cache,
    deadLetters: httpLetters,
    waiters: freshness,
    logger,
  });
  let source: KafkaSource | null = null;
  const { pipeline, batcher, acks } = buildPipeline(
    {
      embedder,
      store,
      deadLetters: routeDeadLetters({
        http: httpLetters,
        ...(producer ? { kafka: new KafkaDeadLetters(producer) } : {}),
      }),
      usage,
      tenants: new TenantLog(db),
      eraser,
      metrics: gatewayMetrics,
      logger,
      ...controls.pipeline,
      // Cached vectors are tagged with their generation, as computed ones (generations/).
      cache: controls.pipeline.cache && gens.generations.tagging(controls.pipeline.cache),
      topicPrefix: prefix,
      retry: { baseMs: config.RETRY_BASE_MS, maxMs: config.RETRY_MAX_MS },
    },
    {
      batching: {
        maxBatch: config.BATCH_MAX,
        waitMs: config.BATCH_WAIT_MS,
        maxQueued: config.BATCH_MAX * config.MAX_PENDING_BATCHES,
        ...controls.batcher,
      },
      ...(brokers
        ? {
            acknowledge: async (fromKafka: Incoming[]) => {
              await options.hooks?.beforeCommit?.(fromKafka);
              await source?.ack(fromKafka);
            },
          }
        : {}),
      onAckError: (error) =>
        logger.warn({ err: describeError(error) }, "acknowledging a stored batch failed"),
      onStored: () => freshness.notify(),
    },
  );
  if (brokers) {
    const consumed = gatewayTopics().map((topic) => `${prefix}${topic}`);
    const groupId = kafka?.eventsGroup ?? config.KAFKA_GROUP_ID;
    source = new KafkaSource({
      brokers,
      clientId: config.KAFKA_CLIENT_ID,
      security,
      groupId,
      topics: consumed,
      ready: () => batcher.ready(),
      submit: (items) => batcher.submit(items),
      logger,
      metrics: gatewayMetrics,
    });
    const started = source;
    await startStep(
      () => started.start(),
      `cannot join consumer group ${groupId} at ${brokers.join(",")}`,
      "start the broker or fix KAFKA_BROKERS",
      (error) => refusalReason(error, security),
    );
  }
  // A model change re-embeds in the background, from the topics in a group of this replica's own.
  gens.build(
    brokers ? { groupId: kafka?.eventsGroup ?? config.KAFKA_GROUP_ID, security } : undefined,
  );

  // An erase a stop or a crash left half-way is finished before anything else of the tenant.
  await startStep(
    () => eraser.resume(),
    "finishing an interrupted tenant erase failed",
    "check the vector store",
  );

  const reconcile = startReconcile(config, { store, drift: gatewayMetrics.drift, logger });
  const app = createApp({
    adminRoutes: reconcile.routes,
    eraser,
    sharedStore: Boolean(config.QDRANT_URL),
    logger,
    metrics,
    gatewayMetrics,
    auth: authOptions(config),
    embedder,
    store,
    usage,
    ingestToken: config.INGEST_TOKEN,
    ingestMaxBytes: config.INGEST_MAX_BYTES,
    ingestMaxEvents: config.INGEST_MAX_EVENTS,
    ingest: (items) => batcher.submit(items),
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
          logger,
        }
      : undefined,
    requestTimeoutMs: requestTimeoutMs(config),
    meshTokenKeys: meshTokenKeysOf(config),
    metricsExposure: metricsExposure(config),
    ...controls.app,
    freshness,
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
      ...(source ? { kafka: () => (source as KafkaSource).probe() } : {}),
      ...(config.EMBEDDINGS_URL ? { embedder: embedderProbe(configured, embedderHealth) } : {}),
    },
  });

  // From the signal, a dependency still down at 80 % of the bound will not come back in time:
  // stop retrying, abandon requests in flight, so waiting ingest calls still get their 503.
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const stopping = () => {
    giveUp ??= setTimeout(() => pipeline.stop(), Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8));
  };
  /** SIGTERM: stop reading, finish and commit the batches in hand, close everything. */
  const drain = async () => {
    stopping();
    embedderWait.abort();
    metricsListener?.stop();
    reconcile.stop();
    await source?.stop();
    await batcher.close();
    freshness.close();
    clearTimeout(giveUp);
    // Every stored batch's commit, before the consumer leaves its group.
    await acks.flush();
    await source?.close();
    await kafka?.reader.close();
    await producer?.close().catch(() => {});
    await gens.close();
    await store.close();
    stopCheckpointer?.();
    db.close();
  };
  const metricsListener = serveMetrics({
    metrics,
    exposure: metricsExposure(config),
    hostname: config.HOST,
    logger,
  });
  const running = serve({
    fetch: app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    logger,
    onStopping: stopping,
    onShutdown: drain,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: requestTimeoutMs(config),
    handleSignals: options.handleSignals ?? true,
    exit,
  });
  const mode = brokers ? "kafka" : "embedded";
  const where = kafka ? { replica: kafka.replica, groupId: kafka.eventsGroup } : {};
  const started = { mode, store: storeName, ...where, embedder: configured.name };
  logger.info({ ...started, ingest: Boolean(config.INGEST_TOKEN) }, "ai-gateway started");
  // groupId: the consumer group of the event topics (per replica on sqlite-vec), for tests.
  return { ...running, app, store, pipeline, batcher, source, drain, groupId: kafka?.eventsGroup };
}

if (import.meta.main) await runMain(() => startGateway(readConfig(process.env)));
