import { expect, test } from "bun:test";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import type { PointUpsert } from "../vectors/index.ts";
import { pointId } from "../vectors/point-id.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { Generations } from "./generations.ts";
import { GenerationTable } from "./table.ts";

const point = (embedder: HashingEmbedder, tenantId: string, id: string): PointUpsert => ({
  id: pointId("users", tenantId, id),
  tenantId,
  entityId: id,
  version: 1,
  vector: embedder.embedOne(`user ${id}`),
  data: { id, tenantId },
  text: `user ${id}`,
  filters: {},
});

test("a tenant's erase reaches every generation: the current one, the previous one and a retired one", async () => {
  const db = openDatabase(":memory:");
  const table = new GenerationTable(db);
  const small = new HashingEmbedder(64);
  const large = new HashingEmbedder(128);
  const generations = new Generations({
    table,
    configured: small,
    embedderOf: (spec) => (spec.dims === 64 ? small : large),
    open: async (row, collections) => {
      const store = new SqliteVecStore(db);
      await store.init(row.dims, collections);
      return store;
    },
  });
  const { store } = generations;
  await store.init(64);
  const write = (embedder: HashingEmbedder, tenantId: string, id: string) =>
    store.write("users", { upserts: [point(embedder, tenantId, id)], deletes: [] });
  await write(small, "tenant-a", "1"); // generation 1
  await write(small, "tenant-b", "1");
  // Two switches: 1 → 2 → 3, which leaves 1 retired and 2 previous.
  for (const dims of [128, 64]) {
    const next = table.begin({ embedder: "hashing", dims: dims === 64 ? 65 : dims });
    await generations.refresh();
    await generations.promote(next.id);
  }
  expect(table.all().map((row) => row.state)).toEqual(["retired", "previous", "current"]);
  const rows = (tenant: string) =>
    ["users", "users__g2", "users__g3"].map(
      (name) =>
        db
          .query<{ n: number }, [string]>(
            `SELECT count(*) AS n FROM points_${name} WHERE tenant_id = ?`,
          )
          .get(tenant)?.n,
    );
  expect(rows("tenant-a")[0]).toBe(1);

  expect(await store.eraseTenant("users", "tenant-a")).toBeGreaterThanOrEqual(1);
  expect(rows("tenant-a")).toEqual([0, 0, 0]);
  expect(rows("tenant-b")[0]).toBe(1);
});
