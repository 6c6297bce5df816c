// bench:reembed — re-embedding rate: ENTITIES users (10 tenants) in generation 1 (hashing, 384
// dimensions, seeded through the SqliteVecStore adapter), then the embedder changed to 256
// dimensions and generation 2 built from generation 1's stored data (the embedded-mode source,
// generations/stored-snapshot.ts) through the real builder, to the switch. Reports entities/s of
// the seeding and of the build, and the file size with both generations. In-process, one real
// SQLite file, no live writes meanwhile. `bun run bench:reembed`. Env: ENTITIES (100000).

import { statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../ai-gateway/src/db.ts";
import { HashingEmbedder } from "../ai-gateway/src/embedders/hashing.ts";
import { buildGeneration } from "../ai-gateway/src/generations/builder.ts";
import { Generations } from "../ai-gateway/src/generations/generations.ts";
import { storedSnapshot } from "../ai-gateway/src/generations/stored-snapshot.ts";
import { GenerationTable } from "../ai-gateway/src/generations/table.ts";
import { SqliteVecStore } from "../ai-gateway/src/vectors/sqlite-vec.ts";
import { userPoint, users } from "../ai-gateway/test/names.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import { fmt, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, tempDir } from "./lib/stack.ts";

const ENTITIES = Number(process.env.ENTITIES ?? 100_000);
const TENANTS = 10;
const dir = tempDir("reembed");
const db = openDatabase(dir);
const table = new GenerationTable(db);
const generationsAt = (dims: number) =>
  new Generations({
    table,
    configured: new HashingEmbedder(dims),
    embedderOf: (spec) => new HashingEmbedder(spec.dims),
    open: async (row, collections) => {
      const store = new SqliteVecStore(db);
      await store.init(row.dims, collections);
      return store;
    },
  });

progress(`seeding ${ENTITIES.toLocaleString("en-US")} users at 384 dimensions`);
const first = generationsAt(384);
await first.start();
const hashing384 = new HashingEmbedder(384);
const seedStarted = performance.now();
for (let t = 0; t < TENANTS; t++) {
  const people = users(`tenant-${t}`, ENTITIES / TENANTS, 1 + t);
  for (let at = 0; at < people.length; at += 1000) {
    const upserts = people.slice(at, at + 1000).map((user) => userPoint(user, hashing384));
    await first.store.write("users", { upserts, deletes: [] });
  }
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const gens = generationsAt(256);
await gens.start();
const target = gens.building();
if (!target) throw new Error("no generation to build");
const source = storedSnapshot({ db, generation: 1, collections: ["users"], batchSize: 1000 });
const started = performance.now();
const outcome = await whileRunning("re-embedding", buildGeneration(gens, table, source), () => {
  const row = table.byId(target.row.id);
  return `${outOf(row?.done ?? 0, row?.total ?? ENTITIES)} re-embedded`;
});
const seconds = (performance.now() - started) / 1000;
const count = await gens.store.count("users");
if (!outcome.switched || count !== ENTITIES) {
  throw new Error(`build ended switched=${outcome.switched} with ${count} points`);
}
db.run("PRAGMA wal_checkpoint(TRUNCATE)");
const sizeMb = statSync(join(dir, "ai-gateway.sqlite")).size / 2 ** 20;
const row = {
  entities: ENTITIES,
  "seed (384-d) entities/s": Math.round(ENTITIES / seedSeconds),
  "re-embed to 256-d, s": seconds,
  "re-embed entities/s": Math.round(ENTITIES / seconds),
  "file MB (both generations)": sizeMb,
};
printTable("Re-embedding (hashing 384 → 256, sqlite-vec, stored-data source)", [row]);
console.log(`switched to generation ${outcome.generation}; ${fmt(ENTITIES / seconds)} entities/s`);
writeResult("reembed", { entities: ENTITIES, seedSeconds, seconds, sizeMb });
db.close();
await cleanup();
