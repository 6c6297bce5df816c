// bench:search's Qdrant rows (QDRANT_URL set): the same users as the sqlite-vec rows, written
// through the gateway's Qdrant adapter into collections of their own (a fresh prefix), left to
// Qdrant until its optimizers are done (status green: the HNSW index built), then searched
// through a gateway started on that Qdrant, over HTTP, like the sqlite-vec gateway.
import type { PointUpsert } from "../../ai-gateway/src/vectors/index.ts";
import { QdrantStore } from "../../ai-gateway/src/vectors/qdrant.ts";
import { progress } from "./report.ts";

const BATCH = 1_000;
/** Longest wait for Qdrant to index what was written, ms. */
const INDEX_WAIT_MS = 60 * 60 * 1000;

export interface QdrantTarget {
  url: string;
  apiKey?: string;
  /** Prepended to the collections' names; the same is given to the gateway. */
  prefix: string;
}

/** The target of QDRANT_URL (and QDRANT_API_KEY), with a fresh prefix; undefined when unset. */
export function qdrantTarget(label: string): QdrantTarget | undefined {
  const url = process.env.QDRANT_URL;
  if (!url) return undefined;
  const prefix = `bench-${label}-${crypto.randomUUID().slice(0, 8)}-`;
  return {
    url,
    prefix,
    ...(process.env.QDRANT_API_KEY ? { apiKey: process.env.QDRANT_API_KEY } : {}),
  };
}

/** The gateway's environment for the target. */
export function qdrantEnv(target: QdrantTarget): Record<string, string> {
  return {
    QDRANT_URL: target.url,
    QDRANT_COLLECTION_PREFIX: target.prefix,
    ...(target.apiKey ? { QDRANT_API_KEY: target.apiKey } : {}),
  };
}

async function call(target: QdrantTarget, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: target.apiKey ? { "api-key": target.apiKey } : {},
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return ((await response.json()) as { result: unknown }).result;
}

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
  for (;;) {
    const info = (await call(target, "GET", `/collections/${name}`)) as {
      status: string;
      points_count: number;
      indexed_vectors_count: number;
    };
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

/** Deletes the target's collections (the bench's own prefix only). */
export async function dropQdrant(target: QdrantTarget): Promise<void> {
  const { collections } = (await call(target, "GET", "/collections")) as {
    collections: { name: string }[];
  };
  for (const { name } of collections)
    if (name.startsWith(target.prefix)) await call(target, "DELETE", `/collections/${name}`);
}
