import { expect, test } from "bun:test";
import { ConfigError } from "@event-mesh/service-kit";
import { readConfig } from "./config.ts";

test("defaults: port 3001, embedded mode, batches of 256 or 20 ms, 384 dimensions", () => {
  const config = readConfig({});
  expect(config).toMatchObject({
    PORT: 3001,
    BATCH_MAX: 256,
    BATCH_WAIT_MS: 5,
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

test("TENANT_LIMITS: a default for every tenant and per-tenant overrides", () => {
  const { TENANT_LIMITS: limits } = readConfig({
    TENANT_LIMITS: "*:searchesPerSecond=20,eventsPerSecond=500; tenant-a:searchesPerSecond=50",
  });
  expect(limits.of("tenant-a")).toEqual({ searchesPerSecond: 50, eventsPerSecond: 500 });
  expect(limits.of("tenant-b")).toEqual({ searchesPerSecond: 20, eventsPerSecond: 500 });
  expect(readConfig({}).TENANT_LIMITS.none).toBe(true);
  expect(readConfig({}).FAIR_BATCHING).toBe(true);
  expect(readConfig({}).EMBEDDING_CACHE_MAX_ENTRIES).toBe(200_000);
});

test("a bad TENANT_LIMITS names the variable, the tenant and the limit", () => {
  for (const [value, says] of [
    ["tenant-a:searchesPerSecnd=5", 'unknown limit "searchesPerSecnd"'],
    ["tenant-a:eventsPerSecond=0", "eventsPerSecond must be a positive integer"],
    ["searchesPerSecond=5", "expected <tenant or *>:<limit>=<n>"],
  ] as const) {
    try {
      readConfig({ TENANT_LIMITS: value });
      throw new Error(`accepted ${value}`);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain("TENANT_LIMITS");
      expect(String(error)).toContain(says);
    }
  }
  expect(() => readConfig({ FAIR_BATCHING: "yes" })).toThrow("FAIR_BATCHING");
});

test("QDRANT_COLLECTION_PREFIX is empty by default and must be a safe collection-name prefix", () => {
  expect(readConfig({}).QDRANT_COLLECTION_PREFIX).toBe("");
  expect(readConfig({ QDRANT_COLLECTION_PREFIX: "staging-" }).QDRANT_COLLECTION_PREFIX).toBe(
    "staging-",
  );
  expect(() => readConfig({ QDRANT_COLLECTION_PREFIX: "a/b" })).toThrow("QDRANT_COLLECTION_PREFIX");
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

test("chunks: 1,000 characters with 200 of overlap, at most 64 per entity; an overlap as long as a chunk or a chunk longer than the embedder reads is refused", () => {
  expect(readConfig({})).toMatchObject({
    CHUNK_CHARS: 400,
    CHUNK_OVERLAP: 100,
    MAX_CHUNKS_PER_ENTITY: 64,
  });
  expect(() => readConfig({ CHUNK_CHARS: "500", CHUNK_OVERLAP: "500" })).toThrow("CHUNK_OVERLAP");
  expect(() => readConfig({ CHUNK_CHARS: "3000" })).toThrow("CHUNK_CHARS");
  expect(readConfig({ CHUNK_CHARS: "3000", EMBEDDINGS_MAX_CHARS: "4000" }).CHUNK_CHARS).toBe(3000);
  expect(() => readConfig({ MAX_CHUNKS_PER_ENTITY: "5000" })).toThrow("MAX_CHUNKS_PER_ENTITY");
});
