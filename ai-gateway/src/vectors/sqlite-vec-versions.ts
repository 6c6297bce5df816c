import type { Database } from "bun:sqlite";
import type { Collection, StoredVersion } from "./index.ts";
import { pointId } from "./point-id.ts";

/**
 * The query of `n` point ids' versions, `?1` the tenant. The unary `+` keeps SQLite from reading
 * the tenant's index (`points_<c>_tenant`), which it otherwise prefers over the point-id index
 * (no ANALYZE statistics here): that reads every row of the tenant for each call, and the
 * `after=` waiters' checks of a tenant of 60,000 users took 3.1 s of the gateway's 8 s of CPU in
 * bench:e2e at 3,000 creates/s.
 */
export const versionsSql = (collection: Collection, n: number) =>
  `SELECT point_id, version, deleted FROM points_${collection}
   WHERE +tenant_id = ? AND point_id IN (${Array.from({ length: n }, () => "?").join(",")})`;

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
      versionsSql(collection, ids.length),
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
