import { join } from "node:path";
import { probeBrokers } from "@event-mesh/kafka-kit";
import type { AuthOptions, Logger } from "@event-mesh/service-kit";
import * as kit from "@event-mesh/service-kit";
import { registerRelayMetrics } from "../metrics.ts";
import { Relay } from "../relay.ts";
import { HttpSink } from "../sink/http.ts";
import type { EventSink } from "../sink/index.ts";
import { KafkaSink } from "../sink/kafka.ts";
import { PRODUCER_REQUEST_TIMEOUT_MS, type ProducerAppDeps, type ProducerStore } from "./app.ts";
import type { ProducerConfig } from "./config.ts";

/** How a producer opens its store: a SQLite file, or Postgres (migrated at open). */
export interface StoreOpeners<S extends ProducerStore> {
  sqlite(path: string): S;
  postgres(options: { url: string; poolMax: number; rebalanceMs: number }): Promise<S>;
}

/** What `startProducer` needs to know about one producer. */
export interface ProducerOptions<S extends ProducerStore, C extends ProducerConfig> {
  /** Service name (`user-service`): logger name, SQLite file name, metric prefix. */
  name: string;
  config: C &
    Parameters<typeof kit.authOptions>[0] &
    Parameters<typeof kit.meshTokenKeysOf>[0] &
    Parameters<typeof kit.metricsExposure>[0] &
    kit.KafkaSecurityEnv;
  stores: StoreOpeners<S>;
  app(deps: ProducerAppDeps<S> & { config: C; logger: Logger; auth: AuthOptions }): {
    fetch: Parameters<typeof kit.serve>[0]["fetch"];
  };
}

/**
 * A cluster that refuses the configured credential or certificate stops start-up with one line;
 * one that does not answer does not (the outbox keeps the writes until it is back).
 */
async function checkKafkaCredentials(
  brokers: string[] | undefined,
  security: ReturnType<typeof kit.kafkaSecurity>,
): Promise<void> {
  if (!brokers || !security) return;
  const probe = await probeBrokers(brokers, 5_000, security);
  if (!probe.ok && probe.refused) throw new kit.StartError(probe.refused);
}

/** Postgres when DATABASE_URL is set (migrated at start), else `<name>.sqlite` in DATA_DIR. */
async function openStore<S extends ProducerStore>(
  name: string,
  config: ProducerConfig,
  stores: StoreOpeners<S>,
): Promise<S> {
  if (!config.DATABASE_URL) {
    return stores.sqlite(join(kit.prepareDataDir(config.DATA_DIR), `${name}.sqlite`));
  }
  const url = config.DATABASE_URL;
  return kit.startStep(
    () =>
      stores.postgres({
        url,
        poolMax: config.DATABASE_POOL_MAX,
        rebalanceMs: config.RELAY_REBALANCE_MS,
      }),
    "DATABASE_URL: cannot connect and migrate",
    "start Postgres or fix DATABASE_URL",
  );
}

/**
 * Starts a producer: its store, the sink (Kafka with KAFKA_BROKERS, else HTTP to the gateway),
 * the relay and its metrics (prefixed `<name>_` with dashes as underscores), the HTTP server,
 * and a shutdown that drains requests, flushes the outbox and closes everything.
 */
export async function startProducer<S extends ProducerStore, C extends ProducerConfig>(
  options: ProducerOptions<S, C>,
): Promise<void> {
  const { config, name } = options;
  const security = kit.kafkaSecurity(config);
  await checkKafkaCredentials(config.KAFKA_BROKERS, security);
  const logger = kit.createLogger({ name, level: config.LOG_LEVEL });
  const store = await openStore(name, config, options.stores);
  const sink: EventSink = config.KAFKA_BROKERS
    ? new KafkaSink({
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID,
        security,
        topicPrefix: config.TOPIC_PREFIX,
        partitions: config.TOPIC_PARTITIONS,
        compression: config.KAFKA_COMPRESSION,
      })
    : new HttpSink({ gatewayUrl: config.GATEWAY_URL, token: config.INGEST_TOKEN });
  const namespace = name.replaceAll("-", "_");
  const metrics = kit.createMetrics({ namespace, processMetrics: true });
  const relayMetrics = registerRelayMetrics(metrics.registry, store.outbox, namespace);
  const relay = new Relay({
    outbox: store.outbox,
    sink,
    logger,
    batchMax: config.RELAY_BATCH_MAX,
    lingerMs: config.RELAY_LINGER_MS,
    onSent: (count) => relayMetrics.published.inc(count),
    onError: (step) => {
      relayMetrics.stepErrors.inc({ step });
      if (step === "send") relayMetrics.publishErrors.inc();
    },
  });
  const auth = kit.authOptions(config);
  const app = options.app({
    store,
    sink,
    relay,
    outboxMaxAgeMs: config.OUTBOX_MAX_AGE_MS,
    logger,
    metrics,
    auth,
    meshTokenKeys: kit.meshTokenKeysOf(config),
    metricsExposure: kit.metricsExposure(config),
    config,
  });
  const metricsListener = kit.serveMetrics({
    metrics,
    exposure: kit.metricsExposure(config),
    hostname: config.HOST,
    logger,
  });

  kit.serve({
    fetch: app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: PRODUCER_REQUEST_TIMEOUT_MS,
    onShutdown: async () => {
      metricsListener?.stop();
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
      authMode: auth.mode,
      dataDir: config.DATA_DIR,
    },
    `${name} started`,
  );
}
