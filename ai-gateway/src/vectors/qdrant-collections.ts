import type { QdrantClient } from "@qdrant/js-client-rest";
import { GatewayError } from "../errors.ts";

/** The distance every gateway collection uses. */
export const DISTANCE = "Cosine";

/**
 * Makes sure `name` exists with vectors of `dims` dimensions and cosine distance, and carries the
 * payload indexes searches filter on. Safe when several gateways start at once against an empty
 * Qdrant: whoever loses the create race gets 409 (`Collection … already exists!`), which counts
 * as success; the collection's configuration is then checked like any existing one.
 */
export async function ensureCollection(
  client: QdrantClient,
  name: string,
  dims: number,
): Promise<void> {
  const { exists } = await client.collectionExists(name);
  if (!exists) {
    try {
      await client.createCollection(name, { vectors: { size: dims, distance: DISTANCE } });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  await checkVectors(client, name, dims);
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
}

/** Refuses a collection whose vectors another embedder or tool made. */
async function checkVectors(client: QdrantClient, name: string, dims: number): Promise<void> {
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
}

/** Qdrant answers 409 to creating a collection that exists (the client throws its status). */
function isConflict(error: unknown): boolean {
  return typeof error === "object" && error !== null && "status" in error && error.status === 409;
}
