import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { GroupCommit } from "./group-commit.ts";

function setup() {
  const db = new Database(":memory:");
  db.run("CREATE TABLE t (v TEXT)");
  let commits = 0;
  const group = new GroupCommit(db, () => commits++);
  const insert = (v: string) => () => db.query("INSERT INTO t VALUES (?)").run(v);
  const rows = () => db.query<{ v: string }, []>("SELECT v FROM t ORDER BY rowid").all();
  return { group, insert, rows, commits: () => commits };
}

test("work queued in one turn shares one COMMIT, and each caller gets its own result", async () => {
  const { group, rows, commits } = setup();
  const results = await Promise.all([group.run(() => 1), group.run(() => 2), group.run(() => 3)]);
  expect(results).toEqual([1, 2, 3]);
  expect(commits()).toBe(1);
  expect(rows()).toEqual([]);
});

test("work that throws is rolled back alone; the others are stored", async () => {
  const { group, insert, rows } = setup();
  const failing = group.run(() => {
    insert("b")();
    throw new Error("constraint");
  });
  const [a, b, c] = await Promise.allSettled([
    group.run(insert("a")),
    failing,
    group.run(insert("c")),
  ]);
  expect(a.status).toBe("fulfilled");
  expect(b.status).toBe("rejected");
  expect(c.status).toBe("fulfilled");
  expect(rows().map((row) => row.v)).toEqual(["a", "c"]);
});

test("later turns get their own transaction", async () => {
  const { group, insert, rows, commits } = setup();
  await group.run(insert("a"));
  await group.run(insert("b"));
  expect(commits()).toBe(2);
  expect(rows()).toHaveLength(2);
});

test("without a failure no savepoint is taken; after one, the group runs again in savepoints", async () => {
  const { group, insert, rows, commits } = setup();
  const runs = { a: 0, c: 0 };
  const [a, b, c] = await Promise.allSettled([
    group.run(() => {
      runs.a++;
      insert("a")();
    }),
    group.run(() => {
      throw new Error("constraint");
    }),
    group.run(() => {
      runs.c++;
      insert("c")();
    }),
  ]);
  expect([a.status, b.status, c.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
  // First try together (rolled back at the failure), then each in its savepoint.
  expect(runs).toEqual({ a: 2, c: 1 });
  expect(rows().map((row) => row.v)).toEqual(["a", "c"]);
  expect(commits()).toBe(1);
});

test("a lone failing piece of work is rejected with its own error", async () => {
  const { group, rows, commits } = setup();
  await expect(
    group.run(() => {
      throw new Error("its own");
    }),
  ).rejects.toThrow("its own");
  expect(rows()).toEqual([]);
  expect(commits()).toBe(0);
});
