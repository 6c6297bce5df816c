import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userPoint } from "../../test/store-contract.ts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import { CodeCache } from "./code-cache.ts";
import { pointId } from "./point-id.ts";
import { SqliteVecStore } from "./sqlite-vec.ts";

// The in-memory copies of large tenants' codes must answer as the file would: after rollbacks,
// other connections' commits, evictions and erasures.

const embedder = new HashingEmbedder(384);
const people = (tenantId: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => userPoint(tenantId, from + i, `Person${from + i} Lee`));
const first = async (store: SqliteVecStore, tenantId: string, text: string) =>
  (await store.search("users", tenantId, embedder.embedOne(text), 1))[0]?.id;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function storeOf(db = openDatabase(":memory:"), cacheBytes?: number) {
  const store = new SqliteVecStore(db, {
    indexAt: 10,
    ...(cacheBytes === undefined ? {} : { cacheBytes }),
  });
  await store.init(384);
  return store;
}

test("a rolled-back write leaves the copy as the file is", async () => {
  const store = await storeOf();
  await store.write("users", {
    upserts: [...people("t", 1, 200), userPoint("t", 500, "Xavier Quokkaberg")],
    deletes: [],
  });
  expect(await first(store, "t", "Xavier Quokkaberg")).toBe("500");
  // An update of 500 (its code dropped and put again) in a batch that fails on its next point.
  const broken = { ...userPoint("t", 501, "Bad"), vector: new Float32Array(3) };
  const update = userPoint("t", 500, "Wilhelmina Zedd", 2);
  await expect(store.write("users", { upserts: [update, broken], deletes: [] })).rejects.toThrow();
  // The copy held 500's new code; the file its old one: the copy was dropped and read again.
  expect(await first(store, "t", "Xavier Quokkaberg")).toBe("500");
  expect(await store.count("users", "t")).toBe(201);
});

test("another connection's commit to the same file reaches this one's next search", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-code-cache-"));
  dirs.push(dir);
  const here = await storeOf(openDatabase(dir));
  await here.write("users", { upserts: people("t", 1, 60), deletes: [] });
  expect(await first(here, "t", "Person7 Lee")).toBe("7");
  // Another process on the same file (a generation build, a command-line erase), as a second
  // connection: a new point and a deleted one.
  const there = await storeOf(openDatabase(dir));
  const gone = { id: pointId("users", "t", "7"), tenantId: "t", entityId: "7", version: 2 };
  await there.write("users", {
    upserts: [userPoint("t", 99, "Xavier Quokkaberg")],
    deletes: [gone],
  });
  expect(await first(here, "t", "Xavier Quokkaberg")).toBe("99");
  expect(await first(here, "t", "Person7 Lee")).not.toBe("7");
});

test("under a cap that holds one tenant's codes, tenants take turns and every search is right", async () => {
  // One copy of 1,024 codes of 96 bytes takes about 170 KB; the cap holds one, not two.
  const db = openDatabase(":memory:");
  const store = await storeOf(db, 300_000);
  for (const tenantId of ["a", "b", "c"])
    await store.write("users", { upserts: people(tenantId, 1, 40), deletes: [] });
  for (const round of [1, 2, 3]) {
    for (const tenantId of ["a", "b", "c"]) {
      expect(await first(store, tenantId, `Person${round * 11} Lee`)).toBe(String(round * 11));
      expect(CodeCache.of(db, 300_000).bytes).toBeLessThanOrEqual(300_000);
      expect(CodeCache.of(db, 300_000).bytes).toBeGreaterThan(0);
    }
    // A write to an evicted tenant goes to the file only, and is found from there.
    await store.write("users", {
      upserts: [userPoint("a", 100 + round, `Ygritte${round}`)],
      deletes: [],
    });
    expect(await first(store, "a", `Ygritte${round}`)).toBe(String(100 + round));
  }
  // A copy that writes grow past the cap is dropped once they commit, and read again when needed.
  expect(await first(store, "b", "Person5 Lee")).toBe("5");
  await store.write("users", { upserts: people("b", 1_000, 3_000), deletes: [] });
  expect(CodeCache.of(db, 300_000).bytes).toBeLessThanOrEqual(300_000);
  expect(await first(store, "b", "Person3999 Lee")).toBe("3999");
  // A cap of 0 keeps no copy: each search reads the codes from the file, and finds the same.
  const uncached = await storeOf(openDatabase(":memory:"), 0);
  await uncached.write("users", { upserts: people("a", 1, 40), deletes: [] });
  expect(await first(uncached, "a", "Person33 Lee")).toBe("33");
});

test("an erased tenant's copy goes with it; back again, it finds only its new points", async () => {
  const store = await storeOf();
  await store.write("users", { upserts: people("t", 1, 30), deletes: [] });
  await store.write("users", { upserts: people("u", 1, 30), deletes: [] });
  expect(await first(store, "t", "Person3 Lee")).toBe("3");
  await store.eraseTenant("users", "t");
  expect(await store.search("users", "t", embedder.embedOne("Person3 Lee"), 5)).toEqual([]);
  await store.write("users", { upserts: people("t", 100, 12), deletes: [] });
  const hits = await store.search("users", "t", embedder.embedOne("Person3 Lee"), 50);
  expect(hits.map((hit) => Number(hit.id)).every((id) => id >= 100)).toBe(true);
  expect(hits).toHaveLength(12);
  expect(await first(store, "u", "Person3 Lee")).toBe("3");
});

test("a tenant whose codes take more than one page to read has all of them in its copy", async () => {
  // 17,000 codes: two pages of 16,384 (sqlite-vec-codes.ts).
  const store = await storeOf();
  for (let from = 1; from <= 17_000; from += 1_000)
    await store.write("users", { upserts: people("t", from, 1_000), deletes: [] });
  for (const id of [1, 9_000, 16_384, 16_385, 17_000])
    expect(await first(store, "t", `Person${id} Lee`)).toBe(String(id));
});
