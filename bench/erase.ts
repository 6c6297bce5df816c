/**
 * `bun run bench:erase`: time to erase a tenant of ENTITIES entities (default 10,000: half users,
 * half tasks) from each store, in-process on real files: user-service's and task-service's
 * SQLite stores (DELETE /admin/tenants' transaction) and the gateway's eraser over a sqlite-vec
 * file (384-dimension points of both collections, with their embedding-cache entries). Another
 * tenant of the same size stays in every store, so the erase has to find the tenant's rows
 * among others. Baseline in the same run: the seeding of the same rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../ai-gateway/src/db.ts";
import { SqliteEmbeddingCache } from "../ai-gateway/src/embedders/sqlite-cache.ts";
import { TenantEraser } from "../ai-gateway/src/erasure/eraser.ts";
import type { PointUpsert } from "../ai-gateway/src/vectors/index.ts";
import { pointId } from "../ai-gateway/src/vectors/point-id.ts";
import { SqliteVecStore } from "../ai-gateway/src/vectors/sqlite-vec.ts";
import { createLogger } from "../service-kit/src/index.ts";
import { SqliteTaskStore } from "../task-service/src/store/sqlite.ts";
import { SqliteUserStore } from "../user-service/src/store/sqlite.ts";
import { machine, printTable, progress, writeResult } from "./lib/report.ts";

const ENTITIES = Number(process.env.ENTITIES ?? 10_000);
const HALF = Math.floor(ENTITIES / 2);
const DIMS = 384;
const TENANTS = ["tenant-gone", "tenant-kept"];
const dir = mkdtempSync(join(tmpdir(), "bench-erase-"));
const seconds = (start: number) => (performance.now() - start) / 1000;
const rows: Record<string, string | number>[] = [];

try {
  // Producers: users and tasks through their stores (each write with its outbox row).
  const users = new SqliteUserStore(join(dir, "user-service.sqlite"));
  const tasks = new SqliteTaskStore(join(dir, "task-service.sqlite"));
  let start = performance.now();
  for (const tenant of TENANTS) {
    await Promise.all(
      Array.from({ length: HALF }, (_, i) =>
        users.create(tenant, { email: `p${i}@${tenant}.dev`, name: `Person ${i}` }),
      ),
    );
    const now = new Date().toISOString();
    await Promise.all(
      Array.from({ length: ENTITIES - HALF }, (_, i) =>
        tasks.create(tenant, {
          id: Bun.randomUUIDv7(),
          tenantId: tenant,
          title: `Task ${i}`,
          description: "",
          status: "open",
          assignee: null,
          createdAt: now,
          updatedAt: now,
          version: 1,
        }),
      ),
    );
  }
  const seedProducers = seconds(start);
  progress(`producers seeded in ${seedProducers.toFixed(1)} s`);
  start = performance.now();
  const userRecord = await users.eraseTenant("tenant-gone", "bench");
  const eraseUsers = seconds(start);
  start = performance.now();
  const taskRecord = await tasks.eraseTenant("tenant-gone", "bench");
  const eraseTasks = seconds(start);
  rows.push(
    {
      store: "user-service (SQLite)",
      seed_s: seedProducers,
      erase_s: eraseUsers,
      removed: sum(userRecord.counts),
    },
    {
      store: "task-service (SQLite)",
      seed_s: "—",
      erase_s: eraseTasks,
      removed: sum(taskRecord.counts),
    },
  );
  users.close();
  tasks.close();

  // The gateway: points of both collections, and a cache entry per point.
  const db = openDatabase(join(dir, "gateway"));
  const store = new SqliteVecStore(db);
  await store.init(DIMS);
  const cache = new SqliteEmbeddingCache(db, { maxEntries: 10 * ENTITIES, maxAgeDays: 30 });
  const vector = () => Float32Array.from({ length: DIMS }, () => Math.random() - 0.5);
  start = performance.now();
  for (const tenant of TENANTS) {
    for (const [collection, count] of [
      ["users", HALF],
      ["tasks", ENTITIES - HALF],
    ] as const) {
      for (let from = 0; from < count; from += 1000) {
        const batch: PointUpsert[] = [];
        for (let i = from; i < Math.min(count, from + 1000); i++) {
          const entityId = `${collection}-${i}`;
          batch.push({
            id: pointId(collection, tenant, entityId),
            tenantId: tenant,
            entityId,
            version: 1,
            vector: vector(),
            data: { id: entityId, tenantId: tenant, name: `Entity ${i}` },
            text: `Entity ${i}`,
            filters: {},
          });
        }
        await store.write(collection, { upserts: batch, deletes: [] });
        cache.put(
          "bench",
          DIMS,
          batch.map((p) => ({
            text: `${tenant} ${p.entityId}`,
            vector: p.vector,
            scope: tenant,
            owner: { tenantId: tenant, entity: `${collection}/${p.entityId}` },
          })),
        );
      }
    }
  }
  const seedGateway = seconds(start);
  progress(`gateway seeded in ${seedGateway.toFixed(1)} s`);
  const logger = createLogger({ name: "bench", level: "silent" });
  const eraser = new TenantEraser({ db, store, collections: ["users", "tasks"], cache, logger });
  start = performance.now();
  const record = await eraser.eraseTenant("tenant-gone", "bench");
  const eraseGateway = seconds(start);
  rows.push({
    store: "ai-gateway (sqlite-vec + cache)",
    seed_s: seedGateway,
    erase_s: eraseGateway,
    removed: sum(record.counts),
  });
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

printTable(`erase a tenant of ${ENTITIES} entities (another of the same size stays)`, rows);
writeResult("erase", { entities: ENTITIES, rows, machineAfter: machine() });

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
