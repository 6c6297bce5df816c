import type { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeVectorStore, userPoint } from "../../test/store-contract.ts";
import { filler, longTaskPoint } from "../../test/store-contract-chunks.ts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import { pointId } from "./point-id.ts";
import { signCode } from "./sign-code.ts";
import { SqliteVecStore } from "./sqlite-vec.ts";
import { tableExists } from "./sqlite-vec-migrate.ts";

// The contract once more with every tenant's codes searched in memory from its first code, and
// once with tenants crossing over in the middle of the tests (30 users > 8).
for (const indexAt of [1, 8]) {
  describeVectorStore(`SqliteVecStore, codes in memory from ${indexAt} codes`, async () => {
    const store = new SqliteVecStore(openDatabase(":memory:"), { indexAt });
    await store.init(384);
    return store;
  });
}

const embedder = new HashingEmbedder(384);
const query = (text: string) => embedder.embedOne(text);
const people = (tenantId: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => userPoint(tenantId, from + i, `Person${from + i} Lee`));
const ids = async (store: SqliteVecStore, tenantId: string, text: string) =>
  (await store.search("users", tenantId, query(text), 10)).map((hit) => hit.id);
const codeRows = (db: Database, table: string, tenantId: string) =>
  db
    .query<{ n: number }, [string]>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`)
    .get(tenantId)?.n;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gw-vec-layout-"));
  dirs.push(dir);
  return dir;
}

test("a tenant that grows past the index size keeps every point, its updates and deletes, and sees no other tenant", async () => {
  const db = openDatabase(":memory:");
  const store = new SqliteVecStore(db, { indexAt: 10 });
  await store.init(384);
  await store.write("users", { upserts: people("big", 1, 6), deletes: [] });
  await store.write("users", { upserts: people("small", 1, 3), deletes: [] });
  expect(codeRows(db, "tenant_codes_users", "big")).toBe(6);
  // Past 10 codes, "big" is searched on its codes in memory, read at its first search.
  await store.write("users", { upserts: people("big", 7, 6), deletes: [] });
  expect(codeRows(db, "tenant_codes_users", "big")).toBe(12);
  expect(await ids(store, "big", "Person2 Lee")).toContain("2");
  expect(await ids(store, "big", "Person11 Lee")).toContain("11");
  expect(codeRows(db, "tenant_codes_users", "small")).toBe(3);
  expect(await ids(store, "small", "Person2 Lee")).toEqual(expect.arrayContaining(["2"]));
  expect((await ids(store, "small", "Person11 Lee")).every((id) => Number(id) <= 3)).toBe(true);
  expect((await ids(store, "big", "x")).every((id) => Number(id) <= 12)).toBe(true);
  // An update and a delete after its codes are in memory reach the copy.
  await store.write("users", { upserts: [userPoint("big", 2, "Quentin Blake", 2)], deletes: [] });
  const deletion = { id: pointId("users", "big", "3"), tenantId: "big", entityId: "3", version: 2 };
  await store.write("users", { upserts: [], deletes: [deletion] });
  expect((await store.search("users", "big", query("Quentin Blake"), 1))[0]?.id).toBe("2");
  expect(await ids(store, "big", "Person3 Lee")).not.toContain("3");
  expect(await store.count("users", "big")).toBe(11);
  expect(codeRows(db, "tenant_codes_users", "big")).toBe(11);
});

test("large and small tenants survive a restart on the same file", async () => {
  const dir = freshDir();
  const first = new SqliteVecStore(openDatabase(dir), { indexAt: 10 });
  await first.init(384);
  await first.write("users", {
    upserts: [...people("big", 1, 20), ...people("small", 1, 2)],
    deletes: [],
  });
  const db = openDatabase(dir);
  const second = new SqliteVecStore(db, { indexAt: 10 });
  await second.init(384);
  expect(await ids(second, "big", "Person17 Lee")).toContain("17");
  expect(await ids(second, "small", "Person2 Lee")).toContain("2");
  expect(await second.count("users")).toBe(22);
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
});

/** The tables of the layouts before this one, as their init() left them. */
function oldLayout(db: Database, partitioned: boolean): void {
  for (const c of ["users", "tasks"]) {
    db.run(`CREATE TABLE points_${c} (rowid INTEGER PRIMARY KEY, point_id TEXT NOT NULL UNIQUE,
      tenant_id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL, payload TEXT)`);
    db.run(`CREATE INDEX points_${c}_tenant ON points_${c} (tenant_id, deleted)`);
    db.run(`CREATE TABLE vectors_${c} (rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL)`);
    db.run(
      `CREATE VIRTUAL TABLE codes_${c} USING vec0(tenant_id TEXT PARTITION KEY, code BIT[768])`,
    );
    if (!partitioned) continue;
    db.run(`CREATE TABLE small_codes_${c} (tenant_id TEXT NOT NULL, rowid INTEGER NOT NULL,
      code BLOB NOT NULL, PRIMARY KEY (tenant_id, rowid)) WITHOUT ROWID`);
    db.run(`CREATE TABLE partitioned_${c} (tenant_id TEXT PRIMARY KEY) WITHOUT ROWID`);
  }
  db.run("CREATE TABLE vector_meta (collection TEXT PRIMARY KEY, dims INTEGER NOT NULL)");
  db.run("INSERT INTO vector_meta VALUES ('users', 384), ('tasks', 384)");
}

/** A point of an old layout: its row and vector, its code in the vec0 table or the plain one. */
function oldPoint(db: Database, rowid: number, tenantId: string, name: string, inVec0: boolean) {
  const point = userPoint(tenantId, rowid, name);
  const payload = { tenantId, entityId: String(rowid), version: 1, data: point.data };
  db.run("INSERT INTO points_users VALUES (?, ?, ?, 1, 0, ?)", [
    rowid,
    point.id,
    tenantId,
    JSON.stringify(payload),
  ]);
  db.run("INSERT INTO vectors_users VALUES (?, ?)", [rowid, point.vector]);
  if (inVec0)
    db.run("INSERT INTO codes_users (rowid, tenant_id, code) VALUES (?, ?, vec_bit(?))", [
      rowid,
      tenantId,
      signCode(point.vector),
    ]);
  else
    db.run("INSERT INTO small_codes_users VALUES (?, ?, ?)", [
      tenantId,
      rowid,
      signCode(point.vector),
    ]);
}

for (const partitioned of [false, true]) {
  const layout = partitioned ? "the partitioned layout" : "the vec0-only layout";
  test(`a file written by ${layout} has every code moved to the tenant table, and grows on`, async () => {
    const dir = freshDir();
    const db = openDatabase(dir);
    oldLayout(db, partitioned);
    oldPoint(db, 1, "tenant-a", "Alice Smith", true);
    oldPoint(db, 2, "tenant-a", "Dora Quill", true);
    if (partitioned) {
      db.run("INSERT INTO partitioned_users VALUES ('tenant-a')");
      oldPoint(db, 3, "tenant-s", "Alice Smith", false);
    }
    db.run("INSERT INTO points_users VALUES (9, 'gone', 'tenant-t', 4, 1, NULL)");
    db.close();

    const reopened = openDatabase(dir);
    const store = new SqliteVecStore(reopened, { indexAt: 2 });
    await store.init(384);
    expect(codeRows(reopened, "tenant_codes_users", "tenant-a")).toBe(2);
    expect(codeRows(reopened, "tenant_codes_users", "tenant-s")).toBe(partitioned ? 1 : 0);
    expect(codeRows(reopened, "tenant_codes_users", "tenant-t")).toBe(0);
    for (const old of ["codes_users", "small_codes_users", "partitioned_users"])
      expect(tableExists(reopened, old)).toBe(false);
    // tenant-a (2 codes, searched in memory) finds each of its points by its own code.
    expect((await store.search("users", "tenant-a", query("Dora Quill"), 1))[0]?.id).toBe("2");
    expect((await store.search("users", "tenant-a", query("Alice Smith"), 1))[0]?.id).toBe("1");
    if (partitioned) expect(await ids(store, "tenant-s", "Alice Smith")).toEqual(["3"]);
    await store.write("users", {
      upserts: [userPoint("tenant-a", 4, "Bob Stone"), userPoint("tenant-n", 1, "Alice Smith")],
      deletes: [],
    });
    expect(codeRows(reopened, "tenant_codes_users", "tenant-a")).toBe(3);
    expect((await store.search("users", "tenant-a", query("Bob Stone"), 1))[0]?.id).toBe("4");
    expect(await ids(store, "tenant-n", "Alice Smith")).toEqual(["1"]);
    expect(reopened.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  });
}

test("a tenant below the index size is searched exactly: a long text's passage beats many short texts", async () => {
  const store = new SqliteVecStore(openDatabase(":memory:"));
  await store.init(384, ["tasks"]);
  // Short texts have few words; ranked by the binary codes of sparse (hashing) vectors, they
  // come nearer to a short query than a long chunk that holds the query's words.
  const short = Array.from({ length: 300 }, (_, i) => longTaskPoint("tenant-a", 100 + i, ""));
  const passage = "Rotate the zephyr quokka credentials before the xylophone audit closes.";
  const long = longTaskPoint("tenant-a", 1, `${filler(7, 3000)} ${passage} ${filler(8, 900)}`);
  await store.write("tasks", { upserts: [...short, long], deletes: [] });
  const hits = await store.search("tasks", "tenant-a", query(passage), 10, { mode: "vector" });
  expect(hits[0]?.id).toBe("1");
  expect(hits[0]?.highlight?.text).toContain(passage);
});

test("a keyword index of the previous layout (a tenant column) is converted: the same hits and scores", async () => {
  const points = [
    userPoint("tenant-a", 1, "Alice Smith"),
    userPoint("tenant-a", 2, "Bob Smith"),
    userPoint("tenant-b", 1, "Alice Jones"),
  ];
  // The same points written by the current layout, to compare with.
  const current = new SqliteVecStore(openDatabase(":memory:"));
  await current.init(384);
  await current.write("users", { upserts: points, deletes: [] });
  // A file whose keyword index is the previous layout's: the tenant's token in its own column.
  const dir = freshDir();
  const db = openDatabase(dir);
  const before = new SqliteVecStore(db);
  await before.init(384);
  await before.write("users", { upserts: points, deletes: [] });
  db.run("DROP TABLE words_users");
  db.run(`CREATE VIRTUAL TABLE keywords_users USING fts5(tenant, text,
    content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`);
  for (const [i, point] of points.entries())
    db.run("INSERT INTO keywords_users (rowid, tenant, text) VALUES (?, ?, ?)", [
      i + 1,
      `t${Buffer.from(point.tenantId).toString("hex")}`,
      point.text,
    ]);
  db.close();

  const reopened = openDatabase(dir);
  const store = new SqliteVecStore(reopened);
  await store.init(384);
  const keyword = (s: SqliteVecStore, tenantId: string, text: string) =>
    s.search("users", tenantId, null, 10, { mode: "keyword", text });
  for (const [tenantId, text] of [
    ["tenant-a", "smith"],
    ["tenant-a", "alice"],
    ["tenant-b", "alice jones"],
  ] as const) {
    const hits = await keyword(store, tenantId, text);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits).toEqual(await keyword(current, tenantId, text));
  }
  expect((await keyword(store, "tenant-a", "smith")).map((hit) => hit.id).sort()).toEqual([
    "1",
    "2",
  ]);
  expect(await keyword(store, "tenant-b", "smith")).toEqual([]);
  const old = reopened.query("SELECT 1 FROM sqlite_master WHERE name = 'keywords_users'").get();
  expect(old).toBeNull();
  expect(reopened.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
});

test("an erased tenant's word prefix is forgotten; back again, it finds only its new words", async () => {
  const db = openDatabase(":memory:");
  const store = new SqliteVecStore(db);
  await store.init(384);
  await store.write("users", {
    upserts: [userPoint("tenant-a", 1, "Alice Smith"), userPoint("tenant-b", 1, "Alice Jones")],
    deletes: [],
  });
  const keyword = async (tenantId: string, text: string) =>
    (await store.search("users", tenantId, null, 10, { mode: "keyword", text })).map((h) => h.id);
  expect(await keyword("tenant-a", "smith")).toEqual(["1"]);
  await store.eraseTenant("users", "tenant-a");
  const row = db.query("SELECT count(*) AS n FROM word_tenants_users WHERE tenant_id = ?");
  expect(row.get("tenant-a")).toEqual({ n: 0 });
  expect(await keyword("tenant-a", "smith")).toEqual([]);
  await store.write("users", { upserts: [userPoint("tenant-a", 2, "Carol Smith")], deletes: [] });
  expect(await keyword("tenant-a", "smith alice")).toEqual(["2"]);
  expect(await keyword("tenant-b", "alice smith")).toEqual(["1"]);
});
