import type { QdrantClient } from "@qdrant/js-client-rest";
import { GatewayError } from "../errors.ts";
import { filterKey, KEYWORDS } from "./qdrant-search.ts";

/** The distance every gateway collection uses. */
export const DISTANCE = "Cosine";

/**
 * Makes sure `name` exists with vectors of `dims` dimensions and cosine distance, a sparse
 * vector of each point's words (`keywords`, IDF modifier: Qdrant weighs each word by its rarity
 * in the collection at query time, which makes the dot product BM25), and carries the payload
 * indexes searches filter on (the tenant, tombstones, and `filters.<field>` of `filterFields`).
 * Answers whether the collection has the keyword vectors: one made by an older gateway has not,
 * and Qdrant cannot add a sparse vector to an existing collection. Safe when several gateways start at once against an empty
 * Qdrant: whoever loses the create race gets 409 (`Collection … already exists!`), which counts
 * as success; the collection's configuration is then checked like any existing one.
 */
export async function ensureCollection(
  client: QdrantClient,
  name: string,
  dims: number,
  filterFields: readonly string[] = [],
): Promise<boolean> {
  const { exists } = await client.collectionExists(name);
  if (!exists) {
    try {
      await client.createCollection(name, {
        vectors: { size: dims, distance: DISTANCE },
        sparse_vectors: { [KEYWORDS]: { modifier: "idf" } },
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  const keywords = await checkVectors(client, name, dims);
  // Idempotent: creating an index that exists with the same schema is a no-op.
  await client.createPayloadIndex(name, {
    wait: true,
    field_name: "tenantId",
    field_schema: { type: "keyword", is_tenant: true },
  });
  // Tombstones carry `deleted: true`; every read excludes them, and an index lets Qdrant's
  // planner estimate how many points that filter leaves.
  await client.createPayloadIndex(name, {
    wait: true,
    field_name: "deleted",
    field_schema: "bool",
  });
  // Filters are pushed into each retriever's search, so Qdrant needs an index to plan them.
  for (const field of filterFields) {
    await client.createPayloadIndex(name, {
      wait: true,
      field_name: filterKey(field),
      field_schema: "keyword",
    });
  }
  return keywords;
}

/** Refuses a collection whose vectors another embedder or tool made. */
async function checkVectors(client: QdrantClient, name: string, dims: number): Promise<boolean> {
  const info = await client.getCollection(name);
  const vectors = info.config.params.vectors;
  // Named vectors (`{ "dense": { size, … } }`) have no top-level size: not ours either.
  const size = vectors && "size" in vectors ? vectors.size : undefined;
  const distance = vectors && "distance" in vectors ? vectors.distance : undefined;
  if (size !== dims || distance !== DISTANCE) {
    throw new GatewayError(
      "store_failed",
      `qdrant collection ${name} has vectors of size ${String(size)} (${String(distance)}), ` +
        `the embedder makes ${dims} (${DISTANCE}); use another QDRANT_COLLECTION_PREFIX or EMBEDDING_DIMS`,
    );
  }
  return info.config.params.sparse_vectors?.[KEYWORDS]?.modifier === "idf";
}

/** Qdrant answers 409 to creating a collection that exists (the client throws its status). */
function isConflict(error: unknown): boolean {
  return typeof error === "object" && error !== null && "status" in error && error.status === 409;
}
