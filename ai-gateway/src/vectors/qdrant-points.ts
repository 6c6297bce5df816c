// The points a Qdrant write sends: each upsert's own and extra chunk points, each delete's tombstone.
import type { PointDelete, PointUpsert, StoredPayload } from "./index.ts";
import { documentSparse } from "./keywords.ts";
import { extraChunkPoints, ownChunkPayload } from "./qdrant-chunks.ts";
import { KEYWORDS } from "./qdrant-search.ts";
import { tombstoneVector } from "./qdrant-tombstone.ts";

/**
 * The points of one write: upserts with their dense vector (and, in a collection with keyword
 * search, their sparse words), deletes as tombstones of `dims` dimensions.
 */
export function qdrantPoints(
  upserts: readonly PointUpsert[],
  deletes: readonly PointDelete[],
  keywords: boolean,
  dims: number,
) {
  return [
    ...upserts.flatMap((point) => {
      const payload: StoredPayload & { filters: Record<string, string> } = {
        tenantId: point.tenantId,
        entityId: point.entityId,
        version: point.version,
        data: point.data,
        filters: point.filters,
      };
      const dense = Array.from(point.vector);
      // The default (unnamed) vector is "" beside the named sparse one. An upsert replaces
      // the whole point, so an update's words replace the old ones, and a tombstone has none.
      const vector = keywords ? { "": dense, [KEYWORDS]: documentSparse(point.text) } : dense;
      const own = { id: point.id, vector, payload: { ...payload, ...ownChunkPayload(point) } };
      return [own, ...extraChunkPoints(point, payload, keywords)];
    }),
    ...deletes.map((point) => ({
      id: point.id,
      vector: tombstoneVector(point.id, dims),
      payload: {
        tenantId: point.tenantId,
        entityId: point.entityId,
        version: point.version,
        deleted: true,
      },
    })),
  ];
}
