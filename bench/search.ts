// bench:search — the cost of one tenant's size: 10 tenants × 10,000 and × 100,000 users, then
// 1 × 1,000,000 (seeded names), 1,000 queries of names with one typo: p50/p99, queries/s,
// recall@10, the gateway's peak RSS, the file's size and the seeding rate. Baseline up to
// BASELINE_MAX per tenant: float32 brute force in the original layout (vec0 FLOAT[384]). Seeded
// in-process through SqliteVecStore, then the gateway is started on the file and queried over
// HTTP. Env: SIZES ("10000,100000,1000000"), QUERIES (1000), BASELINE_MAX (100000), MODES
// ("hybrid,vector"), QDRANT_URL (+ QDRANT_API_KEY): the same users in that Qdrant too, through a
// gateway started on it (bench/lib/search-qdrant.ts). `bun run bench:search`.

import type { Database } from "bun:sqlite";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../ai-gateway/src/db.ts";
import { HashingEmbedder } from "../ai-gateway/src/embedders/hashing.ts";
import { SqliteVecStore } from "../ai-gateway/src/vectors/sqlite-vec.ts";
import { type BenchUser, rng, userPoint, users, withTypo } from "../ai-gateway/test/names.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import { dropQdrant, qdrantEnv, qdrantTarget } from "./lib/qdrant-target.ts";
import { fmt, machine, percentile, printTable, progress, writeResult } from "./lib/report.ts";
import { seedQdrant } from "./lib/search-qdrant.ts";
import { cleanup, launch, peakRss, type ServiceProcess, tempDir } from "./lib/stack.ts";

const SIZES = (process.env.SIZES ?? "10000,100000,1000000").split(",").map(Number);
const QUERIES = Number(process.env.QUERIES ?? 1_000);
const BASELINE_MAX = Number(process.env.BASELINE_MAX ?? 100_000);
/** The search modes measured over HTTP: hybrid (the default mode) and vector. */
const HTTP_MODES = (process.env.MODES ?? "hybrid,vector").split(",");
/** Tenants of a size: 10, or fewer so that a file holds at most 1,000,000 vectors. */
const tenantsOf = (size: number) => Math.max(1, Math.min(10, Math.floor(1_000_000 / size)));
const embedder = new HashingEmbedder(384);

interface Query {
  tenantId: string;
  text: string;
  expected: string;
}

/** Seeds every tenant through the store adapter; the baseline table gets tenant-0 only. */
async function seed(
  db: Database,
  perTenant: number,
  tenants: number,
): Promise<{ seconds: number; queries: Query[] }> {
  const store = new SqliteVecStore(db);
  await store.init(384);
  db.run(`CREATE VIRTUAL TABLE baseline_users USING vec0(point_id TEXT PRIMARY KEY,
    tenant_id TEXT PARTITION KEY, embedding FLOAT[384] distance_metric=cosine, +payload TEXT)`);
  const baseline = db.query("INSERT INTO baseline_users VALUES (?, ?, ?, ?)");
  const random = rng(42);
  const queries: Query[] = [];
  const started = performance.now();
  for (let t = 0; t < tenants; t++) {
    const tenantId = `tenant-${t}`;
    const people = users(tenantId, perTenant, 1 + t);
    for (let i = 0; i < people.length; i += 1_000) {
      const points = people.slice(i, i + 1_000).map((user) => toPoint(user));
      await store.write("users", { upserts: points, deletes: [] });
      if (t === 0 && perTenant <= BASELINE_MAX) {
        db.transaction(() => {
          for (const p of points)
            baseline.run(p.id, tenantId, p.vector, JSON.stringify({ entityId: p.entityId }));
        })();
      }
    }
    progress(`seeded ${tenantId}: ${perTenant} users`);
    // The query set: QUERIES / tenants people of each tenant, their name with one typo.
    for (let q = 0; q < QUERIES / tenants; q++) {
      const person = people[Math.floor(random() * people.length)] as BenchUser;
      queries.push({ tenantId, text: withTypo(person.name, random), expected: String(person.id) });
    }
  }
  return { seconds: (performance.now() - started) / 1000, queries };
}

const toPoint = (user: BenchUser) => userPoint(user, embedder);

interface Measured {
  latencies: number[];
  found: number;
  seconds: number;
}

async function measure(
  label: string,
  queries: readonly Query[],
  search: (q: Query) => Promise<string[]>,
) {
  for (const q of queries.slice(0, 50)) await search(q); // warm-up
  const result: Measured = { latencies: [], found: 0, seconds: 0 };
  const started = performance.now();
  const run = async () => {
    for (const q of queries) {
      // In-process searches settle as microtasks: yield now and then, or no timer (the
      // progress line) runs until the loop ends. Outside each query's measured latency.
      if (result.latencies.length % 200 === 199) await Bun.sleep(0);
      const t = performance.now();
      const ids = await search(q);
      result.latencies.push(performance.now() - t);
      if (ids.includes(q.expected)) result.found++;
    }
  };
  await whileRunning(
    label,
    run(),
    () => `${outOf(result.latencies.length, queries.length)} queries`,
  );
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function row(name: string, size: number, m: Measured, count: number, rssMb?: number) {
  return {
    case: name,
    tenants: tenantsOf(size),
    vectorsPerTenant: size,
    queries: count,
    p50Ms: percentile(m.latencies, 50),
    p99Ms: percentile(m.latencies, 99),
    queriesPerSecond: count / m.seconds,
    recallAt10: m.found / count,
    peakRssMb: rssMb ?? Number.NaN,
  };
}

/** Each HTTP mode's queries against a running gateway: one row per mode. */
async function overHttp(gateway: ServiceProcess, store: string, size: number, queries: Query[]) {
  const rows: ReturnType<typeof row>[] = [];
  for (const mode of HTTP_MODES) {
    const http = await measure(`gateway over HTTP, ${store}${mode}`, queries, async (q) => {
      const query = `type=users&limit=10&mode=${mode}&q=${encodeURIComponent(q.text)}`;
      const response = await fetch(`${gateway.url}/search?${query}`, {
        headers: { authorization: `Bearer ${q.tenantId}:bench` },
      });
      if (!response.ok) throw new Error(`GET /search: ${response.status}`);
      const body = (await response.json()) as { hits: { id: string }[] };
      return body.hits.map((hit) => hit.id);
    });
    const name = `GET /search over HTTP, ${store}mode=${mode}`;
    rows.push(row(name, size, http, queries.length, peakRss(gateway)));
  }
  return rows;
}
const before = machine().loadAverage;
/** Per size, with QDRANT_URL: seconds Qdrant took to take the users in and to index them. */
const qdrantSeeding: Record<string, { writeSeconds: number; indexSeconds: number }> = {};
const results: ReturnType<typeof row>[] = [];
const seeding: Record<string, number> = {};
/** Per size: seconds and vectors/s of the seeding, the file's size (with its WAL) after it. */
const curve: {
  size: number;
  tenants: number;
  seedSeconds: number;
  seedRate: number;
  fileMb: number;
}[] = [];
try {
  for (const size of SIZES) {
    const dir = tempDir(`search-${size}`);
    const db = openDatabase(dir);
    const tenants = tenantsOf(size);
    const { seconds, queries } = await seed(db, size, tenants);
    seeding[String(size)] = seconds;
    progress(`seeded ${tenants} × ${size} in ${seconds.toFixed(1)} s`);
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    const fileMb = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1e6;
    curve.push({
      size,
      tenants,
      seedSeconds: seconds,
      seedRate: (size * tenants) / seconds,
      fileMb,
    });

    // In-process, tenant-0 only: the original float32 layout against the current store.
    const own = queries.filter((q) => q.tenantId === "tenant-0");
    if (size <= BASELINE_MAX) {
      const floatQuery = db.query<{ payload: string }, [Float32Array, number, string]>(
        `SELECT payload FROM baseline_users WHERE embedding MATCH ? AND k = ? AND tenant_id = ?
       ORDER BY distance`,
      );
      const float = await measure("float32 brute force", own, async (q) =>
        floatQuery
          .all(embedder.embedOne(q.text), 10, q.tenantId)
          .map((r) => String(JSON.parse(r.payload).entityId)),
      );
      results.push(row("float32 brute force, in-process (baseline)", size, float, own.length));
    }
    const store = new SqliteVecStore(db);
    await store.init(384);
    const binary = await measure("binary codes + rescoring", own, async (q) =>
      (await store.search("users", q.tenantId, embedder.embedOne(q.text), 10)).map((h) => h.id),
    );
    results.push(row("binary codes + rescoring, in-process", size, binary, own.length));
    await store.close();
    db.close();

    // The gateway on the seeded file, over HTTP, all tenants. QDRANT_URL empty: the gateway
    // inherits this process's environment, and would otherwise search that Qdrant.
    const gateway = await launch("ai-gateway", { DATA_DIR: dir, QDRANT_URL: "" });
    results.push(...(await overHttp(gateway, "", size, queries)));
    await gateway.stop();

    // The same users in Qdrant (QDRANT_URL set), through a gateway started on it.
    const target = qdrantTarget("search");
    if (target) {
      try {
        qdrantSeeding[String(size)] = await seedQdrant(target, tenants, (t) =>
          users(`tenant-${t}`, size, 1 + t).map(toPoint),
        );
        const env = { DATA_DIR: tempDir(`search-q-${size}`), ...qdrantEnv(target) };
        const onQdrant = await launch("ai-gateway", env);
        results.push(...(await overHttp(onQdrant, "Qdrant, ", size, queries)));
        await onQdrant.stop();
      } finally {
        await dropQdrant(target);
      }
    }
  }
  printTable(
    `bench:search — names with one typo, k=10 (load before: ${fmt(before.one ?? Number.NaN)})`,
    results.map((r) => ({
      case: r.case,
      tenants: String(r.tenants),
      "vectors/tenant": r.vectorsPerTenant,
      queries: r.queries,
      "p50 ms": r.p50Ms,
      "p99 ms": r.p99Ms,
      "queries/s": r.queriesPerSecond,
      "recall@10": r.recallAt10,
      "gateway peak RSS MB": r.peakRssMb,
    })),
  );
  printTable(
    "bench:search — the store as it grows (seeded in-process; file with its WAL, checkpointed)",
    curve.map((c) => ({
      "tenants × vectors": `${c.tenants} × ${c.size}`,
      "seeding s": c.seedSeconds,
      "vectors/s seeded": c.seedRate,
      "file MB": c.fileMb,
    })),
  );
  writeResult("search", {
    loadBefore: before,
    seedingSeconds: seeding,
    qdrantSeeding,
    curve,
    results,
  });
} finally {
  await cleanup();
}
