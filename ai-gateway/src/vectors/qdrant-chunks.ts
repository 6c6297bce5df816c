// Long texts in the Qdrant store: chunk 0 lives in the entity's own point, every other chunk in a
// point of its own (`chunk: true`), with the entity's payload, so filters and tenants apply alike.
import { chunkPointId } from "./chunks.ts";
import type { PointUpsert, SearchHit } from "./index.ts";
import { documentSparse } from "./keywords.ts";
import { KEYWORDS } from "./qdrant-search.ts";

/** Matches chunk points past the first; counts and version listings `must_not` them. */
export const EXTRA_CHUNK = { key: "chunk", match: { value: true } };

/** Search reads this many points per entity wanted at first (chunks of one entity crowd). */
export const OVERFETCH = 4;

/** Where a chunk's passage is, in a point's payload (`highlight`). */
function highlightOf(point: PointUpsert, index: number) {
  const chunk = point.chunks?.[index];
  return chunk ? { highlight: { text: chunk.text, start: chunk.start, end: chunk.end } } : {};
}

/** Payload of the entity's own point beside the usual: its chunk count and chunk 0's passage. */
export function ownChunkPayload(point: PointUpsert) {
  return { chunks: point.chunks?.length ?? 1, ...highlightOf(point, 0) };
}

/** The points of chunks 1… of an upsert, each with the entity's payload and its passage. */
export function extraChunkPoints(point: PointUpsert, payload: object, keywords: boolean) {
  return (point.chunks ?? []).slice(1).map((chunk, i) => {
    const dense = Array.from(chunk.vector);
    const vector = keywords ? { "": dense, [KEYWORDS]: documentSparse(chunk.text) } : dense;
    return {
      id: chunkPointId(point.id, i + 1),
      vector,
      payload: { ...payload, chunk: true, ...highlightOf(point, i + 1) },
    };
  });
}

/** Ids of the chunk points an entity had (`stored` chunks) that `kept` chunks no longer use. */
export function surplusChunkIds(id: string, stored: number, kept: number): string[] {
  const ids: string[] = [];
  for (let i = Math.max(1, kept); i < stored; i++) ids.push(chunkPointId(id, i));
  return ids;
}

/** The first hit of each entity (lists are best first), at most `limit` of them. */
export function bestPerEntity(hits: readonly SearchHit[], limit: number): SearchHit[] {
  const seen = new Set<string>();
  const out: SearchHit[] = [];
  for (const hit of hits) {
    if (seen.has(hit.id)) continue;
    seen.add(hit.id);
    out.push(hit);
    if (out.length === limit) break;
  }
  return out;
}
