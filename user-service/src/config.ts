import { intVar, loadConfig, serviceEnv, urlVar } from "@event-mesh/service-kit";
import * as v from "valibot";

/** The user-service environment: the shared variables plus its own. */
export const UserServiceEnv = serviceEnv(
  { port: 3000, clientId: "user-service" },
  {
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
