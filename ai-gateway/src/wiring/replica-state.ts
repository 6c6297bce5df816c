import type { Database } from "bun:sqlite";
import {
  describeError,
  type Logger,
  prepareDataDir,
  startCheckpointer,
} from "@event-mesh/service-kit";
import type { GatewayConfig } from "../config.ts";
import { GATEWAY_WAL_PAGES, openDatabase } from "../db.ts";
import { SqliteDeadLetters } from "../dead-letters/sqlite.ts";
import type { EmbeddingCache } from "../embedders/cache.ts";
import { TenantEraser } from "../erasure/eraser.ts";
import { FreshnessWaiters } from "../freshness/waiters.ts";
import type { VectorStore } from "../vectors/index.ts";
import type { Closers } from "./closers.ts";

/** The replica's SQLite file (DATA_DIR, or memory), with its WAL checkpointer; both closed last. */
export function replicaDatabase(config: GatewayConfig, closers: Closers): Database {
  const inMemory = config.DATA_DIR === ":memory:";
  const db = openDatabase(inMemory ? ":memory:" : prepareDataDir(config.DATA_DIR));
  closers.add("database", () => db.close());
  if (!inMemory) closers.add("checkpointer", startCheckpointer(db, db.filename, GATEWAY_WAL_PAGES));
  return db;
}

/**
 * What a replica keeps of its tenants beside the vectors: the searches waiting for a write
 * (read-your-writes), the dead letters of HTTP ingest, and the eraser that reaches every one of
 * them (erasure/eraser.ts; the Kafka DLQ and billing topics are logs, kept by retention).
 */
export function tenantState(
  config: GatewayConfig,
  deps: {
    db: Database;
    store: VectorStore;
    cache: EmbeddingCache | undefined;
    logger: Logger;
    collections: readonly string[];
  },
) {
  const { db, store, logger } = deps;
  const freshness = new FreshnessWaiters(store, {
    maxWaitMs: config.SEARCH_WAIT_MAX_MS,
    recheckMs: config.SEARCH_WAIT_RECHECK_MS,
    maxPerTenant: config.SEARCH_WAITERS_PER_TENANT,
    maxTotal: config.SEARCH_WAITERS_MAX,
    onError: (err) => logger.warn({ err: describeError(err) }, "read-your-writes re-check failed"),
  });
  const httpLetters = new SqliteDeadLetters(db, {
    maxRows: config.DLQ_MAX_ROWS,
    maxAgeDays: config.DLQ_MAX_AGE_DAYS,
  });
  const eraser = new TenantEraser({
    db,
    store,
    collections: deps.collections,
    cache: deps.cache,
    deadLetters: httpLetters,
    waiters: freshness,
    logger,
  });
  return { freshness, httpLetters, eraser };
}
