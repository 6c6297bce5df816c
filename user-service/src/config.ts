import { intVar, loadConfig, serviceEnv, urlVar } from "@event-mesh/service-kit";
import * as v from "valibot";

/** The user-service environment: the shared variables plus its own. */
export const UserServiceEnv = serviceEnv(
  { port: 3000, clientId: "user-service" },
  {
    /** Set → users and the outbox live in Postgres (N replicas may share it); unset → SQLite. */
    DATABASE_URL: v.optional(
      v.pipe(
        v.string(),
        v.url("must be a URL such as postgres://user@host:5432/db"),
        v.regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://"),
      ),
    ),
    /** Postgres connections per replica; concurrent requests use them side by side. */
    DATABASE_POOL_MAX: v.optional(intVar(1, 1000), "10"),
    /** Postgres outbox: how often a relay rebalances its shards and takes over a dead one's. */
    RELAY_REBALANCE_MS: v.optional(intVar(50, 600_000), "1000"),
    /** Where the HTTP sink posts events when KAFKA_BROKERS is not set. */
    GATEWAY_URL: v.optional(urlVar, "http://127.0.0.1:3001"),
    /** Bearer token for the gateway's ingest endpoint (HTTP sink). */
    INGEST_TOKEN: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Most outbox rows per sink call. */
    RELAY_BATCH_MAX: v.optional(intVar(1, 10_000), "500"),
    /** /readyz answers 503 once the oldest outbox event waits longer than this (ms). */
    OUTBOX_MAX_AGE_MS: v.optional(intVar(1, 86_400_000), "60000"),
    /** Bound for draining requests and flushing the outbox at shutdown. */
    SHUTDOWN_TIMEOUT_MS: v.optional(intVar(0, 600_000), "10000"),
    /** Kafka record-batch compression. */
    KAFKA_COMPRESSION: v.optional(
      v.picklist(
        ["none", "gzip", "snappy", "lz4", "zstd"],
        "must be none, gzip, snappy, lz4 or zstd",
      ),
      "lz4",
    ),
  },
);

/** The parsed configuration. */
export type Config = v.InferOutput<typeof UserServiceEnv>;

/** Parses the environment; throws `ConfigError` naming every bad variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  return loadConfig(UserServiceEnv, env);
}
