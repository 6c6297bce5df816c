// bench:embed-cache — in one process, per text: the hashing embedder alone against the same texts
// through the SQLite embedding cache (SHA-256 lookup, then insert on a miss), fresh texts and a
// replay, in alternating rounds so both see the same load. Why the embed step skips the cache
// for an embedder with `cheaperThanCache`. `bun bench/embed-cache.ts`; Env: TEXTS (40000), BATCH (256).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../ai-gateway/src/db.ts";
import { HashingEmbedder } from "../ai-gateway/src/embedders/hashing.ts";
import { SqliteEmbeddingCache } from "../ai-gateway/src/embedders/sqlite-cache.ts";
import { fmt, machine, printTable } from "./lib/report.ts";

const TEXTS = Number(process.env.TEXTS ?? 40_000);
const BATCH = Number(process.env.BATCH ?? 256);
const dir = mkdtempSync(join(tmpdir(), "embed-cache-bench-"));
const db = openDatabase(dir);
const cache = new SqliteEmbeddingCache(db, { maxEntries: 200_000, maxAgeDays: 30 });
const embedder = new HashingEmbedder(384);
const texts = Array.from(
  { length: TEXTS },
  (_, i) => `Name${i} Surname${i * 7} ${i}@tenant-${i % 10}.dev`,
);
const ms = { alone: 0, fresh: 0, replay: 0 };
const load = machine().loadAverage.one ?? Number.NaN;

for (let i = 0; i < TEXTS; i += BATCH) {
  const batch = texts.slice(i, i + BATCH);
  let t = performance.now();
  await embedder.embed(batch);
  ms.alone += performance.now() - t;
  t = performance.now();
  const found = cache.get(embedder.name, embedder.dims, batch);
  const missed = batch.filter((_, j) => !found[j]);
  const vectors = await embedder.embed(missed);
  cache.put(
    embedder.name,
    embedder.dims,
    missed.map((text, j) => ({ text, vector: vectors[j] as Float32Array })),
  );
  ms.fresh += performance.now() - t;
  t = performance.now();
  cache.get(embedder.name, embedder.dims, batch);
  ms.replay += performance.now() - t;
}
db.close();
rmSync(dir, { recursive: true, force: true });
const us = (total: number) => (total * 1000) / TEXTS;
printTable(
  `bench:embed-cache — ${TEXTS} texts in batches of ${BATCH} (load before: ${fmt(load)})`,
  [
    { path: "hashing embedder alone", "µs per text": us(ms.alone), "× alone": 1 },
    {
      path: "through the cache, fresh texts (lookup, embed, insert)",
      "µs per text": us(ms.fresh),
      "× alone": ms.fresh / ms.alone,
    },
    {
      path: "through the cache, a replay (all hits)",
      "µs per text": us(ms.replay),
      "× alone": ms.replay / ms.alone,
    },
  ],
);
