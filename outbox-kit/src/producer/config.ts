import { type commonEnv, intVar, urlVar } from "@event-mesh/service-kit";
import * as v from "valibot";

/** The Kafka record-batch compressions the relay's producer can write. */
export const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** One of COMPRESSIONS. */
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * The variables every producer (user-service, task-service) reads beside the shared ones of
 * `serviceEnv`: its store, its relay and its sink. Pass them as `serviceEnv`'s own entries.
 */
export const PRODUCER_VARS = {
  /** Set → the entities and the outbox live in Postgres (N replicas may share it); unset → SQLite. */
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
  /**
   * Least time between two sends of the relay (ms): a steady stream goes out in batches of what
   * arrived meanwhile; an idle relay sends a commit at once. 0: a send per wake.
   */
  RELAY_LINGER_MS: v.optional(intVar(0, 1_000), "5"),
  /** /readyz answers 503 once the oldest outbox event waits longer than this (ms). */
  OUTBOX_MAX_AGE_MS: v.optional(intVar(1, 86_400_000), "60000"),
  /** Bound for draining requests and flushing the outbox at shutdown. */
  SHUTDOWN_TIMEOUT_MS: v.optional(intVar(0, 600_000), "10000"),
  /** Kafka record-batch compression. */
  KAFKA_COMPRESSION: v.optional(
    v.picklist(COMPRESSIONS, `must be one of ${COMPRESSIONS.join(", ")}`),
    "lz4",
  ),
};

/**
 * The parsed producer variables plus the shared ones a producer's start-up reads: what the
 * schemas give, not a copy kept by hand.
 */
export type ProducerConfig = v.InferOutput<
  v.ObjectSchema<typeof PRODUCER_VARS & ReturnType<typeof commonEnv>, undefined>
>;
