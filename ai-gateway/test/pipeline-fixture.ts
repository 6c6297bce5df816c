// The pipeline's dependencies as tests build them on one SQLite database: usage, tenants, fresh
// metrics, a silent logger, no topic prefix, and dead letters dropped unless a test keeps them.
import type { Database } from "bun:sqlite";
import { createLogger } from "@event-mesh/service-kit";
import { Registry } from "prom-client";
import { createGatewayMetrics } from "../src/metrics.ts";
import type { PipelineDeps } from "../src/pipeline/pipeline.ts";
import { TenantLog } from "../src/tenants.ts";
import { SqliteUsage } from "../src/usage/sqlite.ts";

/** Every dependency of a pipeline but its embedder and store, on `db`. */
export function pipelineTestDeps(db: Database) {
  return {
    deadLetters: { write: async () => {} },
    usage: new SqliteUsage(db),
    tenants: new TenantLog(db),
    metrics: createGatewayMetrics(new Registry()),
    logger: createLogger({ name: "test", level: "silent" }),
    topicPrefix: "",
  } satisfies Partial<PipelineDeps>;
}
