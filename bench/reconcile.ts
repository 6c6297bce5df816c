/**
 * `bun run bench:reconcile`: time of a reconcile run over TENANTS × PER_TENANT users (default
 * 10 × 100,000) with 1 % drift, on a real sqlite-vec file and a source on real SQLite behind the
 * service-kit snapshot endpoints over HTTP. Seeded in-process (no embedding: 8-dimension
 * vectors, since reconciliation reads versions only). Baseline in the same run: the same run
 * with zero drift. Both sides share this process and its cores.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../ai-gateway/src/db.ts";
import { createGatewayMetrics } from "../ai-gateway/src/metrics.ts";
import { reconcileTargets } from "../ai-gateway/src/reconcile/plan.ts";
import { Reconciler } from "../ai-gateway/src/reconcile/reconciler.ts";
import type { ReconcileReport } from "../ai-gateway/src/reconcile/report.ts";
import { SourceClient } from "../ai-gateway/src/reconcile/source-client.ts";
import type { PointUpsert } from "../ai-gateway/src/vectors/index.ts";
import { pointId } from "../ai-gateway/src/vectors/point-id.ts";
import { SqliteVecStore } from "../ai-gateway/src/vectors/sqlite-vec.ts";
import {
  createLogger,
  Registry,
  type SnapshotSource,
  snapshotRoutes,
} from "../service-kit/src/index.ts";
import { machine, printTable, progress, writeResult } from "./lib/report.ts";

const TENANTS = Number(process.env.TENANTS ?? 10);
const PER_TENANT = Number(process.env.PER_TENANT ?? 100_000);
const DIMS = 8;
const TOKEN = "bench-operator-token-0123456789-abcdef";
const logger = createLogger({ name: "bench", level: "silent" });
const dir = mkdtempSync(join(tmpdir(), "bench-reconcile-"));
const id = (n: number) => `u${String(n).padStart(7, "0")}`;
const tenant = (t: number) => `tenant-${t}`;

// The source: (tenant, id, version) in a SQLite file, served by the shared snapshot routes.
const sourceDb = new Database(join(dir, "source.sqlite"), { create: true });
sourceDb.run("PRAGMA journal_mode = WAL");
sourceDb.run(
  "CREATE TABLE users (tenant_id TEXT, id TEXT, version INTEGER, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID",
);
let republished = 0;
const source: SnapshotSource = {
  async snapshot(t, after, limit) {
    const rows = sourceDb
      .query<{ id: string; version: number }, [string, string, number]>(
        "SELECT id, version FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
      )
      .all(t, after ?? "", limit);
    return { entities: rows, next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
  },
  async tenants() {
    const rows = sourceDb
      .query<{ t: string }, []>("SELECT DISTINCT tenant_id AS t FROM users ORDER BY 1")
      .all();
    return { tenants: rows.map((r) => r.t), next: null };
  },
  async republish(_t, ids) {
    republished += ids.length;
    return { republished: [...ids], missing: [] };
  },
};
// Errors render as 500 here (no producer app around it): the bench sends only valid requests.
const app = snapshotRoutes({ source, auth: { token: TOKEN }, logger });
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });

let db = openDatabase(join(dir, "clean"));
let store = new SqliteVecStore(db);

async function seedAll(drift: boolean) {
  const started = performance.now();
  db.close();
  db = openDatabase(join(dir, drift ? "drift" : "clean"));
  store = new SqliteVecStore(db);
  await store.init(DIMS);
  sourceDb.run("DELETE FROM users");
  const insert = sourceDb.prepare("INSERT INTO users VALUES (?, ?, ?)");
  const vector = new Float32Array(DIMS).fill(0.5);
  for (let t = 0; t < TENANTS; t++) {
    const points: PointUpsert[] = [];
    sourceDb.transaction(() => {
      for (let n = 0; n < PER_TENANT; n++) {
        const kind = drift && n % 100 === 0 ? (n / 100) % 4 : -1;
        if (kind !== 2) insert.run(tenant(t), id(n), kind === 1 || kind === 3 ? 2 : 1);
        if (kind === 0) continue;
        const version = kind === 3 ? 9 : 1; // stale: 1 < 2; ahead: 9 > 2; orphaned: 1
        points.push({
          id: pointId("users", tenant(t), id(n)),
          tenantId: tenant(t),
          entityId: id(n),
          version,
          vector,
          text: id(n),
          filters: {},
          data: { id: id(n) },
        });
      }
    })();
    for (let i = 0; i < points.length; i += 10_000) {
      await store.write("users", { upserts: points.slice(i, i + 10_000), deletes: [] });
    }
    progress(`seeded ${tenant(t)} (${drift ? "1 % drift" : "no drift"})`);
  }
  return (performance.now() - started) / 1000;
}

async function run(repair: boolean): Promise<{ seconds: number; report: ReconcileReport }> {
  const reconciler = new Reconciler({
    store,
    targets: reconcileTargets().filter((t) => t.collection === "users"),
    sources: new Map([["user-service", new SourceClient("user-service", server.url.href, TOKEN)]]),
    maxEntities: TENANTS * PER_TENANT,
    drift: createGatewayMetrics(new Registry()).drift,
    logger,
  });
  const started = performance.now();
  const report = await reconciler.run({ by: "bench", repair });
  return { seconds: (performance.now() - started) / 1000, report };
}

const counts = (r: ReconcileReport) => {
  const u = r.collections.users;
  return u ? `${u.missing.count}/${u.stale.count}/${u.orphaned.count}/${u.ahead.count}` : "—";
};
const before = machine();
const rows = [];
const seedClean = await seedAll(false);
const clean = await run(false);
rows.push({
  case: "no drift (baseline)",
  seed_s: seedClean,
  run_s: clean.seconds,
  "missing/stale/orphaned/ahead": counts(clean.report),
  entities_per_s: (TENANTS * PER_TENANT) / clean.seconds,
});
const seedDrift = await seedAll(true);
const found = await run(false);
rows.push({
  case: "1 % drift, report",
  seed_s: seedDrift,
  run_s: found.seconds,
  "missing/stale/orphaned/ahead": counts(found.report),
  entities_per_s: (TENANTS * PER_TENANT) / found.seconds,
});
const repaired = await run(true);
rows.push({
  case: "1 % drift, repair",
  seed_s: 0,
  run_s: repaired.seconds,
  "missing/stale/orphaned/ahead": counts(repaired.report),
  entities_per_s: (TENANTS * PER_TENANT) / repaired.seconds,
});
printTable(`reconcile: ${TENANTS} × ${PER_TENANT.toLocaleString("en-US")} users, sqlite-vec`, rows);
writeResult("reconcile", {
  tenants: TENANTS,
  perTenant: PER_TENANT,
  loadBefore: before.loadAverage,
  rows,
  republished,
  repairedReport: repaired.report.collections.users?.repaired,
});
server.stop(true);
db.close();
sourceDb.close();
rmSync(dir, { recursive: true, force: true });
