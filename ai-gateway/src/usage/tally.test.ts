import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { UsageTally } from "./tally.ts";

const at = (partition: number, offset: bigint, amount = 1) => ({
  topic: "billing.events",
  partition,
  offset,
  tenantId: "tenant-a",
  metric: "searches" as const,
  amount,
});

test("counts each usage event once, even when the topic is read again from an older offset", () => {
  const tally = new UsageTally(new Database(":memory:"));
  expect(tally.add([at(0, 0n), at(0, 1n), at(1, 0n, 3)])).toBe(3);
  // A crash before the Kafka commit: the same events come again, then a new one.
  expect(tally.add([at(0, 0n), at(0, 1n), at(1, 0n, 3), at(0, 2n)])).toBe(1);
  expect(tally.totals("tenant-a")).toEqual({ embeddings: 0, searches: 6 });
  expect(tally.totals("tenant-b")).toEqual({ embeddings: 0, searches: 0 });
});

test("a skipped message moves the offset without counting anything", () => {
  const tally = new UsageTally(new Database(":memory:"));
  tally.skip("billing.events", 0, 0n);
  expect(tally.add([at(0, 0n)])).toBe(0);
  expect(tally.add([at(0, 1n)])).toBe(1);
  expect(tally.totals("tenant-a").searches).toBe(1);
});

test("an erased tenant's increments still on the topic are read past, not counted again", () => {
  const db = new Database(":memory:");
  const tally = new UsageTally(db);
  tally.add([at(0, 0n, 2)]);
  // What the erase leaves: its record, the tenant's tally gone.
  db.run(`INSERT INTO gateway_erasures (tenant_id, requested_by, requested_at, counts)
    VALUES ('tenant-a', 'test', '2026-12-05T00:00:00Z', '{}')`);
  db.run("DELETE FROM usage_global WHERE tenant_id = 'tenant-a'");
  expect(tally.add([at(0, 1n, 5)])).toBe(1);
  expect(tally.totals("tenant-a")).toEqual({ embeddings: 0, searches: 0 });
  expect(db.query("SELECT count(*) AS n FROM usage_global").get()).toEqual({ n: 0 });
});
