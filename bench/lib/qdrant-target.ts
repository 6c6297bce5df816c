// The Qdrant a bench measures (QDRANT_URL, QDRANT_API_KEY), under a collection prefix of the
// run's own, so that runs never share or overwrite each other's collections.
import { createQdrantClient } from "../../ai-gateway/src/vectors/qdrant-transport.ts";

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
  const apiKey = process.env.QDRANT_API_KEY;
  return { url, prefix, ...(apiKey ? { apiKey } : {}) };
}

/** The gateway's environment for the target. */
export function qdrantEnv(target: QdrantTarget): Record<string, string> {
  return {
    QDRANT_URL: target.url,
    QDRANT_COLLECTION_PREFIX: target.prefix,
    ...(target.apiKey ? { QDRANT_API_KEY: target.apiKey } : {}),
  };
}

/** The gateway's own Qdrant client, for the target. */
export const qdrantClient = (target: QdrantTarget) =>
  createQdrantClient({ url: target.url, apiKey: target.apiKey });

/** Deletes the target's collections (the run's own prefix only). */
export async function dropQdrant(target: QdrantTarget): Promise<void> {
  const client = qdrantClient(target);
  const { collections } = await client.getCollections();
  for (const { name } of collections)
    if (name.startsWith(target.prefix)) await client.deleteCollection(name);
}
