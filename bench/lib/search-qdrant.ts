// bench:search's Qdrant rows (QDRANT_URL set): the same users as the sqlite-vec rows, written
// through the gateway's Qdrant adapter into collections of their own (a fresh prefix), left to
// Qdrant until its optimizers are done (status green: the HNSW index built), then searched
// through a gateway started on that Qdrant, over HTTP, like the sqlite-vec gateway.
import type { PointUpsert } from "../../ai-gateway/src/vectors/index.ts";
import { QdrantStore } from "../../ai-gateway/src/vectors/qdrant.ts";
import { type QdrantTarget, qdrantClient } from "./qdrant-target.ts";
import { progress } from "./report.ts";

const BATCH = 1_000;
/** Longest wait for Qdrant to index what was written, ms. */
const INDEX_WAIT_MS = 60 * 60 * 1000;

/**
 * Writes each tenant's points (`pointsOf(t)`, tenant t of `tenants`) into `users` in batches of
 * BATCH, then waits until Qdrant has indexed them. Returns the seconds of both.
 */
export async function seedQdrant(
  target: QdrantTarget,
  tenants: number,
  pointsOf: (tenant: number) => PointUpsert[],
): Promise<{ writeSeconds: number; indexSeconds: number }> {
  const store = new QdrantStore({
    url: target.url,
    apiKey: target.apiKey,
    collectionPrefix: target.prefix,
  });
  await store.init(384, ["users"]);
  const started = performance.now();
  for (let t = 0; t < tenants; t++) {
    const points = pointsOf(t);
    for (let i = 0; i < points.length; i += BATCH) {
      await store.write("users", { upserts: points.slice(i, i + BATCH), deletes: [] });
      if (i % 100_000 === 0) progress(`Qdrant: tenant-${t}, ${i} of ${points.length} written`);
    }
  }
  const written = performance.now();
  const name = `${target.prefix}users`;
  const client = qdrantClient(target);
  for (;;) {
    const info = await client.getCollection(name);
    if (info.status === "green") break;
    if (performance.now() - written > INDEX_WAIT_MS) throw new Error(`${name}: not indexed`);
    progress(
      `Qdrant: ${info.status}, ${info.indexed_vectors_count} of ${info.points_count} indexed`,
    );
    await Bun.sleep(5_000);
  }
  await store.close();
  return {
    writeSeconds: (written - started) / 1000,
    indexSeconds: (performance.now() - written) / 1000,
  };
}
