// Versions as the Qdrant adapter reads them: for a write's staleness check, for read-your-writes,
// and page by page for reconciliation.
import type { QdrantClient } from "@qdrant/js-client-rest";
import type { Collection, StoredVersion, VersionPage } from "./index.ts";
import { pointId } from "./point-id.ts";
import { EXTRA_CHUNK } from "./qdrant-chunks.ts";
import { TOMBSTONE } from "./qdrant-search.ts";

/** Stored version and chunk count (1 for a point without chunks, or a tombstone) by point id. */
export async function storedVersions(
  client: QdrantClient,
  name: string,
  ids: string[],
): Promise<Map<string, { version: number; chunks: number }>> {
  const points = await client.retrieve(name, {
    ids,
    with_payload: { include: ["version", "chunks"] },
    with_vector: false,
  });
  const versions = new Map<string, { version: number; chunks: number }>();
  for (const point of points) {
    const { version, chunks } = point.payload ?? {};
    if (typeof version === "number")
      versions.set(String(point.id), {
        version,
        chunks: typeof chunks === "number" ? chunks : 1,
      });
  }
  return versions;
}

/** The stored versions of `entityIds` of one tenant in the Qdrant collection `name`. */
export async function entityVersions(
  client: QdrantClient,
  name: string,
  collection: Collection,
  tenantId: string,
  entityIds: readonly string[],
): Promise<Map<string, StoredVersion>> {
  const versions = new Map<string, StoredVersion>();
  if (entityIds.length === 0) return versions;
  const entityOf = new Map(entityIds.map((id) => [pointId(collection, tenantId, id), id]));
  // One retrieve by point id; a point whose payload names another tenant is never reported.
  // `deleted` is read where the payload has it (a tombstone); a removed point is absent.
  const points = await client.retrieve(name, {
    ids: [...entityOf.keys()],
    with_payload: { include: ["tenantId", "version", "deleted"] },
    with_vector: false,
  });
  for (const point of points) {
    const entityId = entityOf.get(String(point.id));
    const { tenantId: owner, version, deleted } = point.payload ?? {};
    if (entityId === undefined || owner !== tenantId || typeof version !== "number") continue;
    versions.set(entityId, { version, deleted: deleted === true });
  }
  return versions;
}

/** A page of one tenant's live entities and versions in the Qdrant collection `name`. */
export async function versionPage(
  client: QdrantClient,
  name: string,
  tenantId: string,
  cursor: string | null,
  limit: number,
): Promise<VersionPage> {
  const page = await client.scroll(name, {
    // Tombstones only remember a delete's version: the entity is not stored.
    filter: {
      must: [{ key: "tenantId", match: { value: tenantId } }],
      must_not: [TOMBSTONE, EXTRA_CHUNK],
    },
    limit,
    with_payload: { include: ["entityId", "version", "tenantId"] },
    with_vector: false,
    ...(cursor ? { offset: cursor } : {}),
  });
  const entries: VersionPage["entries"] = [];
  for (const point of page.points) {
    const { entityId, version, tenantId: owner } = point.payload ?? {};
    if (owner !== tenantId || typeof entityId !== "string" || typeof version !== "number") continue;
    entries.push({ entityId, version });
  }
  const next = page.next_page_offset;
  return {
    entries,
    next: typeof next === "string" || typeof next === "number" ? String(next) : null,
  };
}
