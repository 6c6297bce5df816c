import { expect, test } from "bun:test";
import { ConfigError } from "@event-mesh/service-kit";
import { readConfig } from "./config.ts";

test("defaults: port 3001, embedded mode, batches of 256 or 20 ms, 384 dimensions", () => {
  const config = readConfig({});
  expect(config).toMatchObject({
    PORT: 3001,
    BATCH_MAX: 256,
    BATCH_WAIT_MS: 20,
    EMBEDDING_DIMS: 384,
    KAFKA_GROUP_ID: "ai-gateway",
    EMBEDDINGS_MODEL: "text-embedding-3-small",
    EMBEDDINGS_TIMEOUT_MS: 30_000,
    EMBEDDINGS_MAX_CHARS: 2048,
    SHUTDOWN_TIMEOUT_MS: 10_000,
  });
  expect(config.KAFKA_BROKERS).toBeUndefined();
  expect(config.QDRANT_URL).toBeUndefined();
  expect(config.INGEST_TOKEN).toBeUndefined();
});

test("the default consumer group carries the topic prefix; KAFKA_GROUP_ID wins when set", () => {
  expect(readConfig({ TOPIC_PREFIX: "staging." }).KAFKA_GROUP_ID).toBe("staging.ai-gateway");
  expect(readConfig({ TOPIC_PREFIX: "prod." }).KAFKA_GROUP_ID).toBe("prod.ai-gateway");
  expect(readConfig({ TOPIC_PREFIX: "staging.", KAFKA_GROUP_ID: "shared" }).KAFKA_GROUP_ID).toBe(
    "shared",
  );
});

test("a bad value names the variable", () => {
  expect(() => readConfig({ BATCH_MAX: "lots", QDRANT_URL: "nope" })).toThrow(ConfigError);
  try {
    readConfig({ BATCH_MAX: "lots", QDRANT_URL: "nope" });
  } catch (error) {
    expect(String(error)).toContain("BATCH_MAX");
    expect(String(error)).toContain("QDRANT_URL");
  }
});

test("RECONCILE_SOURCES maps producers to URLs, and a bad value names the variable", () => {
  const config = readConfig({
    RECONCILE_SOURCES: "user-service=http://127.0.0.1:3000,task-service=http://tasks:3002",
  });
  expect(config.RECONCILE_SOURCES).toEqual({
    "user-service": "http://127.0.0.1:3000",
    "task-service": "http://tasks:3002",
  });
  expect(readConfig({}).RECONCILE_SOURCES).toEqual({});
  expect(readConfig({}).RECONCILE_INTERVAL_MS).toBe(0);
  expect(() => readConfig({ RECONCILE_SOURCES: "user-service" })).toThrow(/RECONCILE_SOURCES/);
  expect(() => readConfig({ OPERATOR_TOKEN: "shorter-than-32-characters" })).toThrow(
    /OPERATOR_TOKEN/,
  );
});
