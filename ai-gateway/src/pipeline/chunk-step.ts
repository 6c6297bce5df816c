import {
  type ChunkSettings,
  chunkText,
  type TextChunk,
  TOO_MANY_CHUNKS,
} from "../vectors/chunks.ts";
import type { PointUpsert } from "../vectors/index.ts";
import type { RefusedChange } from "./embed-step.ts";
import type { EntityChange } from "./plan.ts";

/** A change whose text is long: its chunks, and one change per chunk (what is embedded). */
interface Chunked {
  chunks: TextChunk[];
  pieces: EntityChange[];
}

/** The texts of a batch's upserts, long ones split into chunks (chunks.ts). */
export interface ChunkPlan {
  /** What to embed: each upsert, a chunked one as its pieces (one per chunk). */
  toEmbed: EntityChange[];
  /** Upserts refused before embedding: their text needs more than `maxChunks` chunks. */
  refused: RefusedChange[];
  /**
   * The upserts to write, from the pieces' vectors: a chunked change is written only when every
   * chunk has its vector, and a refused piece refuses its change, once.
   */
  assemble(
    vectorOf: ReadonlyMap<EntityChange, Float32Array>,
    refusedPieces: readonly RefusedChange[],
  ): { upserts: Map<EntityChange, PointUpsert>; refused: RefusedChange[] };
}

/** Splits the long texts of `upserts`; `settings` unset → no text is chunked. */
export function planChunks(
  upserts: readonly EntityChange[],
  settings: ChunkSettings | undefined,
): ChunkPlan {
  const toEmbed: EntityChange[] = [];
  const refused: RefusedChange[] = [];
  const chunkedOf = new Map<EntityChange, Chunked>();
  const parentOf = new Map<EntityChange, EntityChange>();
  for (const change of upserts) {
    if (!settings || !change.longText || change.text.length <= settings.chars) {
      toEmbed.push(change);
      continue;
    }
    const chunks = chunkText(change.text, settings);
    if (chunks.length > settings.maxChunks) {
      refused.push({
        change,
        code: TOO_MANY_CHUNKS,
        reason: `text of ${change.text.length} characters needs ${chunks.length} chunks of at most ${settings.chars}; MAX_CHUNKS_PER_ENTITY is ${settings.maxChunks}`,
      });
      continue;
    }
    const pieces = chunks.map((chunk) => ({ ...change, text: chunk.text }));
    for (const piece of pieces) parentOf.set(piece, change);
    chunkedOf.set(change, { chunks, pieces });
    toEmbed.push(...pieces);
  }
  const assemble: ChunkPlan["assemble"] = (vectorOf, refusedPieces) => {
    const out = { upserts: new Map<EntityChange, PointUpsert>(), refused: [] as RefusedChange[] };
    const refusedChanges = new Set<EntityChange>();
    for (const refusal of refusedPieces) {
      const change = parentOf.get(refusal.change) ?? refusal.change;
      if (refusedChanges.has(change)) continue;
      refusedChanges.add(change);
      out.refused.push({ ...refusal, change });
    }
    for (const change of upserts) {
      if (refusedChanges.has(change)) continue;
      const chunked = chunkedOf.get(change);
      if (!chunked) {
        const vector = vectorOf.get(change);
        if (vector) out.upserts.set(change, upsertOf(change, vector, change.text));
        continue;
      }
      const vectors = chunked.pieces.map((piece) => vectorOf.get(piece));
      if (vectors.some((vector) => vector === undefined)) continue;
      const chunks = chunked.chunks.map((chunk, i) => ({
        vector: vectors[i] as Float32Array,
        text: chunk.text,
        start: chunk.start,
        end: chunk.end,
      }));
      const first = chunks[0];
      if (!first) continue;
      out.upserts.set(change, { ...upsertOf(change, first.vector, first.text), chunks });
    }
    return out;
  };
  return { toEmbed, refused, assemble };
}

function upsertOf(change: EntityChange, vector: Float32Array, text: string): PointUpsert {
  return {
    id: change.pointId,
    tenantId: change.tenantId,
    entityId: change.entityId,
    version: change.version,
    vector,
    text,
    filters: change.filters,
    data: change.data,
  };
}
