import { expect, test } from "bun:test";
import { type BenchUser, rng, userPoint, users, withTypo } from "../../test/names.ts";
import { describeVectorStore } from "../../test/store-contract.ts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import { SqliteVecStore } from "./sqlite-vec.ts";
import { versionsSql } from "./sqlite-vec-versions.ts";

describeVectorStore("SqliteVecStore", async () => {
  const store = new SqliteVecStore(openDatabase(":memory:"));
  await store.init(384);
  return store;
});

test("SqliteVecStore refuses to open vectors of another size", async () => {
  const db = openDatabase(":memory:");
  await new SqliteVecStore(db).init(384);
  await expect(new SqliteVecStore(db).init(256)).rejects.toThrow(/384 dimensions/);
});

/**
 * 3,000 users of one tenant (names of `seed`), then 200 searches of `limit` for a random one's
 * name with one typo: the share that finds that user. Every search answers `limit` hits.
 */
async function typoRecall(seed: number, limit: number): Promise<number> {
  const store = new SqliteVecStore(openDatabase(":memory:"));
  await store.init(384);
  const people = users("tenant-a", 3_000, seed);
  await store.write("users", { upserts: people.map(toPoint), deletes: [] });
  const random = rng(seed + 6);
  let found = 0;
  const queries = 200;
  for (let i = 0; i < queries; i++) {
    const person = people[Math.floor(random() * people.length)];
    if (!person) throw new Error("no person");
    const hits = await store.search(
      "users",
      "tenant-a",
      query(withTypo(person.name, random)),
      limit,
    );
    expect(hits.length).toBe(limit);
    if (hits.some((hit) => hit.id === String(person.id))) found++;
  }
  return found / queries;
}

test("SqliteVecStore finds users by their name with one typo (recall@10 ≥ 0.95 of 3,000)", async () => {
  expect(await typoRecall(1, 10)).toBeGreaterThanOrEqual(0.95);
});

test("SqliteVecStore reads enough candidates for a small limit (limit 3: the typo'd name, ≥ 0.95)", async () => {
  // A limit under 5 reads the floor of 20 binary candidates, not 4 × limit: still enough for
  // the one person a misspelled name means.
  expect(await typoRecall(2, 3)).toBeGreaterThanOrEqual(0.95);
});

test("SqliteVecStore converts a file of the float32-only layout", async () => {
  const db = openDatabase(":memory:");
  const alice = toPoint({ id: 1, name: "Alice Smith", email: "alice@a.dev", tenantId: "tenant-a" });
  const bob = toPoint({ id: 2, name: "Bob Stone", email: "bob@a.dev", tenantId: "tenant-a" });
  // The first layout, as its init() and write() left it: a live Alice, a deleted Bob (version 3).
  db.run(`CREATE TABLE vector_versions (collection TEXT NOT NULL, point_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL,
    PRIMARY KEY (collection, point_id)) WITHOUT ROWID`);
  db.run("CREATE TABLE vector_meta (collection TEXT PRIMARY KEY, dims INTEGER NOT NULL)");
  for (const c of ["users", "tasks"]) {
    db.run(`CREATE VIRTUAL TABLE vec_${c} USING vec0(point_id TEXT PRIMARY KEY,
      tenant_id TEXT PARTITION KEY, embedding FLOAT[384] distance_metric=cosine, +payload TEXT)`);
    db.run("INSERT INTO vector_meta VALUES (?, 384)", [c]);
  }
  const payload = { tenantId: "tenant-a", entityId: "1", version: 1, data: alice.data };
  db.run("INSERT INTO vec_users VALUES (?, ?, ?, ?)", [
    alice.id,
    "tenant-a",
    alice.vector,
    JSON.stringify(payload),
  ]);
  db.run("INSERT INTO vector_versions VALUES ('users', ?, 'tenant-a', 1, 0)", [alice.id]);
  db.run("INSERT INTO vector_versions VALUES ('users', ?, 'tenant-a', 3, 1)", [bob.id]);

  const store = new SqliteVecStore(db);
  await store.init(384);
  // The vector came over: the text it was made from scores 1.
  const hits = await store.search("users", "tenant-a", query("Alice Smith alice@a.dev"), 10);
  expect(hits.map((hit) => hit.id)).toEqual(["1"]);
  expect(hits[0]?.score).toBeCloseTo(1, 5);
  expect(await store.count("users", "tenant-a")).toBe(1);
  // Bob's tombstone survived: a late version 2 stays deleted.
  const late = await store.write("users", { upserts: [{ ...bob, version: 2 }], deletes: [] });
  expect(late.stale).toBe(1);
  const tables = db.query(
    "SELECT name FROM sqlite_master WHERE name IN ('vec_users', 'vector_versions')",
  );
  expect(tables.all()).toEqual([]);
});

const embedder = new HashingEmbedder(384);
const query = (text: string) => embedder.embedOne(text);

const toPoint = (user: BenchUser) => userPoint(user, embedder);

test("versions() reads each entity by its point id, not every row of the tenant", async () => {
  const db = openDatabase(":memory:");
  const store = new SqliteVecStore(db);
  await store.init(384);
  const plan = db
    .query<{ detail: string }, string[]>(`EXPLAIN QUERY PLAN ${versionsSql("users", 3)}`)
    .all("tenant-a", "x", "y", "z")
    .map((row) => row.detail);
  // A plan that searches the tenant's index reads all of its rows, whatever the ids asked.
  expect(plan.join("\n")).toContain("(point_id=?)");
  expect(plan.join("\n")).not.toContain("points_users_tenant");
});
