import type { Database } from "bun:sqlite";
import type { Collection, StoredVersion } from "./index.ts";
import { pointId } from "./point-id.ts";

/**
 * `SqliteVecStore.versions`: the stored version of each entity of one tenant, in one query on
 * `points_<collection>` (tombstones included, as `deleted`). Point ids derive from (collection,
 * tenant, entity), so each is one lookup in the point-id index; the tenant is checked on the row.
 */
export function storedVersions(
  db: Database,
  collection: Collection,
  tenantId: string,
  entityIds: readonly string[],
): Map<string, StoredVersion> {
  const versions = new Map<string, StoredVersion>();
  if (entityIds.length === 0) return versions;
  const ids = entityIds.map((entityId) => pointId(collection, tenantId, entityId));
  const rows = db
    .query<{ point_id: string; version: number; deleted: number }, string[]>(
      `SELECT point_id, version, deleted FROM points_${collection}
       WHERE tenant_id = ? AND point_id IN (${ids.map(() => "?").join(",")})`,
    )
    .all(tenantId, ...ids);
  const byPoint = new Map(rows.map((row) => [row.point_id, row]));
  for (const [i, id] of ids.entries()) {
    const row = byPoint.get(id);
    const entityId = entityIds[i];
    if (row && entityId !== undefined)
      versions.set(entityId, { version: row.version, deleted: row.deleted === 1 });
  }
  return versions;
}
