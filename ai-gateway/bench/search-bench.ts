/**
 * Rough numbers for the report: pipeline ingest rate and sqlite-vec search latency for one
 * tenant. `bun bench/search-bench.ts [vectorsPerTenant]` (default 10000). Not a test.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEvent } from "@event-mesh/contracts";
import { createLogger } from "@event-mesh/service-kit";
import { Registry } from "prom-client";
import { openDatabase } from "../src/db.ts";
import { SqliteDeadLetters } from "../src/dead-letters/sqlite.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { createGatewayMetrics } from "../src/metrics.ts";
import { type Incoming, Pipeline } from "../src/pipeline/pipeline.ts";
import { TenantLog } from "../src/tenants.ts";
import { SqliteUsage } from "../src/usage/sqlite.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";

const total = Number(process.argv[2] ?? 10_000);
const db = openDatabase(mkdtempSync(join(tmpdir(), "gw-bench-")));
const store = new SqliteVecStore(db);
await store.init(384);
const embedder = new HashingEmbedder(384);
const pipeline = new Pipeline({
  embedder,
  store,
  deadLetters: new SqliteDeadLetters(db),
  usage: new SqliteUsage(db),
  tenants: new TenantLog(db),
  metrics: createGatewayMetrics(new Registry()),
  logger: createLogger({ name: "bench", level: "silent" }),
  topicPrefix: "",
});
const first = [
  "Ana",
  "Ben",
  "Cleo",
  "Dev",
  "Eli",
  "Fay",
  "Gil",
  "Hugo",
  "Iris",
  "Jan",
  "Kai",
  "Lea",
];
const last = ["Smith", "Novak", "Rossi", "Berg", "Costa", "Dahl", "Ekman", "Fox", "Gray", "Holt"];
const started = performance.now();
for (let offset = 0; offset < total; offset += 256) {
  const items: Incoming[] = [];
  for (let i = offset; i < Math.min(total, offset + 256); i++) {
    const name = `${first[i % first.length]} ${last[Math.floor(i / first.length) % last.length]} ${i}`;
    const event = makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:bench",
      data: { id: i + 1, name, email: `u${i}@a.dev`, tenantId: "tenant-a" },
    });
    items.push({ source: "http", result: { ok: true, event }, raw: "" });
  }
  await pipeline.process(items);
}
const ingestSeconds = (performance.now() - started) / 1000;
console.log(
  `ingest: ${total} events in ${ingestSeconds.toFixed(2)} s = ${Math.round(total / ingestSeconds)} events/s (batches of 256)`,
);

const latencies: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await store.search(
    "users",
    "tenant-a",
    embedder.embedOne(`${first[i % 12]} ${last[i % 10]}`),
    10,
  );
  latencies.push(performance.now() - t);
}
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(2);
console.log(`search (${total} vectors, 1 tenant, k=10): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
