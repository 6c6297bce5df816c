import { join } from "node:path";
import { probeBrokers } from "@event-mesh/kafka-kit";
import {
  type EventSink,
  HttpSink,
  KafkaSink,
  Relay,
  registerRelayMetrics,
} from "@event-mesh/outbox-kit";
import {
  authOptions,
  ConfigError,
  createLogger,
  createMetrics,
  describeError,
  kafkaSecurity,
  prepareDataDir,
  StartError,
  serve,
} from "@event-mesh/service-kit";
import { createApp } from "./app.ts";

/** Prefix of every user-service metric (see createMetrics' namespace). */
const NAMESPACE = "user_service";

import { type Config, readConfig } from "./config.ts";
import type { UserStore } from "./store/index.ts";
import { PostgresUserStore } from "./store/postgres.ts";
import { SqliteUserStore } from "./store/sqlite.ts";

/** Postgres when DATABASE_URL is set (migrated at start), else the SQLite file. */
async function openStore(config: Config): Promise<UserStore> {
  if (!config.DATABASE_URL) {
    return new SqliteUserStore(join(prepareDataDir(config.DATA_DIR), "user-service.sqlite"));
  }
  try {
    return await PostgresUserStore.open({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      rebalanceMs: config.RELAY_REBALANCE_MS,
    });
  } catch (error) {
    throw new StartError(`DATABASE_URL: cannot connect and migrate: ${describeError(error)}`);
  }
}

async function start(): Promise<void> {
  const config = readConfig(process.env);
  const logger = createLogger({ name: "user-service", level: config.LOG_LEVEL });
  const store = await openStore(config);
  const sink: EventSink = config.KAFKA_BROKERS
    ? new KafkaSink({
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID,
        security: kafkaSecurity(config),
        topicPrefix: config.TOPIC_PREFIX,
        partitions: config.TOPIC_PARTITIONS,
        compression: config.KAFKA_COMPRESSION,
      })
    : new HttpSink({ gatewayUrl: config.GATEWAY_URL, token: config.INGEST_TOKEN });
  const metrics = createMetrics({ namespace: NAMESPACE, processMetrics: true });
  const relayMetrics = registerRelayMetrics(metrics.registry, store.outbox, NAMESPACE);
  const relay = new Relay({
    outbox: store.outbox,
    sink,
    logger,
    batchMax: config.RELAY_BATCH_MAX,
    onSent: (count) => relayMetrics.published.inc(count),
    onError: (step) => {
      relayMetrics.stepErrors.inc({ step });
      if (step === "send") relayMetrics.publishErrors.inc();
    },
  });
  const app = createApp({
    store,
    sink,
    relay,
    outboxMaxAgeMs: config.OUTBOX_MAX_AGE_MS,
    logger,
    metrics,
    auth: authOptions(config),
  });

  serve({
    fetch: app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      const flushed = await relay.stop(config.SHUTDOWN_TIMEOUT_MS);
      const left = (await store.outbox.depth().catch(() => ({ count: -1 }))).count;
      if (!flushed)
        logger.warn({ pending: left }, "outbox not empty at shutdown; sent at next start");
      await sink
        .close()
        .catch((error: unknown) => logger.warn({ err: error }, "closing sink failed"));
      await store.close();
    },
  });
  relay.start();
  if (!config.KAFKA_BROKERS && !config.INGEST_TOKEN) {
    logger.warn(
      "INGEST_TOKEN is not set: the gateway refuses events without it; they wait in the outbox",
    );
  }
  logger.info(
    {
      sink: sink.name,
      store: config.DATABASE_URL ? "postgres" : "sqlite",
      authMode: authOptions(config).mode,
      dataDir: config.DATA_DIR,
    },
    "user-service started",
  );
}

/**
 * A cluster that refuses the configured credential or certificate stops start-up with one line;
 * one that does not answer does not (the outbox keeps the writes until it is back).
 */
async function checkKafkaCredentials(): Promise<void> {
  const config = readConfig(process.env);
  if (!config.KAFKA_BROKERS) return;
  const security = kafkaSecurity(config);
  if (!security) return;
  const probe = await probeBrokers(config.KAFKA_BROKERS, 5_000, security);
  if (!probe.ok && probe.refused) throw new StartError(probe.refused);
}

try {
  await checkKafkaCredentials();
  await start();
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
