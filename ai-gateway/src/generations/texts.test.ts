import type { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { EVENT_REGISTRY, type Registry } from "@event-mesh/contracts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import { DEFAULT_CHUNKS } from "../vectors/chunks.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { Generations } from "./generations.ts";
import { GenerationTable } from "./table.ts";
import { sameTexts, textRulesOf } from "./texts.ts";

/** The built-in registry with the users' text fields replaced. */
function withUserText(textFields: string[]): Registry {
  const created = EVENT_REGISTRY["user.created"];
  if (created?.gateway.action !== "upsert") throw new Error("user.created upserts");
  return {
    ...EVENT_REGISTRY,
    "user.created": { ...created, gateway: { ...created.gateway, textFields } },
  };
}

test("a collection's digest changes with its text fields, their order and its chunk size only", () => {
  const base = textRulesOf(EVENT_REGISTRY, DEFAULT_CHUNKS);
  expect(Object.keys(base).sort()).toEqual(["tasks", "users"]);
  expect(textRulesOf(EVENT_REGISTRY, { ...DEFAULT_CHUNKS })).toEqual(base);

  const reordered = textRulesOf(withUserText(["email", "name"]), DEFAULT_CHUNKS);
  expect(reordered.users).not.toBe(base.users);
  expect(reordered.tasks).toBe(base.tasks as string);
  expect(sameTexts(base, reordered)).toBe(false);

  // Only tasks have a long text field, so only their digest follows the chunk size.
  const smaller = textRulesOf(EVENT_REGISTRY, { ...DEFAULT_CHUNKS, chars: 500, overlap: 100 });
  expect(smaller.tasks).not.toBe(base.tasks);
  expect(smaller.users).toBe(base.users as string);
  // The dead-letter cap on chunks changes no stored text.
  expect(textRulesOf(EVENT_REGISTRY, { ...DEFAULT_CHUNKS, maxChunks: 3 })).toEqual(base);
});

test("a collection only one side names is no difference: new ones start empty everywhere", () => {
  expect(sameTexts({ users: "a" }, { users: "a", invoices: "b" })).toBe(true);
  expect(sameTexts({ users: "a", orders: "c" }, { users: "a" })).toBe(true);
  expect(sameTexts({}, { users: "a" })).toBe(true);
  expect(sameTexts({ users: "a" }, { users: "b" })).toBe(false);
});

/** Generations over an in-memory SQLite file, with the hashing embedder and `texts`. */
async function started(db: Database, registry: Registry) {
  const generations = new Generations({
    table: new GenerationTable(db),
    configured: new HashingEmbedder(64),
    texts: textRulesOf(registry, DEFAULT_CHUNKS),
    embedderOf: () => new HashingEmbedder(64),
    open: async (_row, collections) => {
      const store = new SqliteVecStore(db);
      await store.init(64, collections);
      return store;
    },
  });
  await generations.start(["users", "tasks"]);
  await generations.store.close();
  return new GenerationTable(db).all().map((row) => [row.id, row.state, row.texts.users]);
}

test("a generation made before stamps is stamped at start, not rebuilt; a text change then is", async () => {
  const db = openDatabase(":memory:");
  // The table as a gateway before this change left it: no texts column, one current generation.
  db.run(`CREATE TABLE vector_generations (
    id INTEGER PRIMARY KEY, embedder TEXT NOT NULL, dims INTEGER NOT NULL,
    state TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL, switched_at INTEGER)`);
  db.run(
    "INSERT INTO vector_generations (embedder, dims, state, created_at) VALUES ('hashing', 64, 'current', 0)",
  );
  const stamped = textRulesOf(EVENT_REGISTRY, DEFAULT_CHUNKS).users;
  expect(await started(db, EVENT_REGISTRY)).toEqual([[1, "current", stamped]]);
  // The same rules again: nothing to do.
  expect(await started(db, EVENT_REGISTRY)).toEqual([[1, "current", stamped]]);
  // The users' text becomes the name alone: generation 2 is built for it.
  const nameOnly = withUserText(["name"]);
  expect(await started(db, nameOnly)).toEqual([
    [1, "current", stamped],
    [2, "building", textRulesOf(nameOnly, DEFAULT_CHUNKS).users],
  ]);
});
