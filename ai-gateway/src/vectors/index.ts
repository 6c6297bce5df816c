import { collectionsOf } from "@event-mesh/contracts";
import type { Fusion } from "./fusion.ts";

/** The vector collections: those the event registry's rules write to (`users`, `tasks`). */
export const COLLECTIONS: readonly Collection[] = collectionsOf();

/**
 * A collection name, as the registry's rules name it. A string, not a union: the registry is
 * injectable (a test adds a type with its own collection), so names are only known at run time.
 */
export type Collection = string;

/** A vector to store, with the event data it was computed from. */
export interface PointUpsert {
  /** Deterministic point id, `pointId(collection, tenantId, entityId)`. */
  id: string;
  /** The owning tenant; every search filters on it. */
  tenantId: string;
  /** The entity's own id (from the event data). */
  entityId: string;
  /** Entity version; an older one never overwrites a newer one. */
  version: number;
  /** The embedding. */
  vector: Float32Array;
  /** The text the vector was embedded from; the keyword index holds its words. */
  text: string;
  /** Values of the collection's filterable fields (registry `filters`), as strings. */
  filters: Record<string, string>;
  /** The event data, returned with search hits. */
  data: Record<string, unknown>;
  /**
   * A long text's chunks (chunks.ts), each with its own vector; `vector` and `text` are then
   * those of chunk 0. Unset: the text is one chunk, without highlight. A write replaces every
   * chunk the entity had.
   */
  chunks?: readonly ChunkUpsert[] | undefined;
}

/** One chunk of a long text, with its vector and offsets into the entity's text. */
export interface ChunkUpsert {
  vector: Float32Array;
  text: string;
  start: number;
  end: number;
}

/** The passage of an entity's text that matched best: `text` = full text `.slice(start, end)`. */
export interface Highlight {
  text: string;
  start: number;
  end: number;
}

/** A point to remove, unless the store already holds a newer version. */
export interface PointDelete {
  id: string;
  tenantId: string;
  entityId: string;
  version: number;
}

/** What a write did; `stale` counts operations dropped because a newer version is stored. */
export interface WriteResult {
  upserted: number;
  deleted: number;
  stale: number;
}

/** How a search retrieves: by meaning, by words, or both fused (fusion.ts). */
export type SearchMode = "hybrid" | "vector" | "keyword";

/** The modes, the default first. */
export const SEARCH_MODES = ["hybrid", "vector", "keyword"] as const satisfies SearchMode[];

/**
 * Field → accepted values: a hit's value of every field named must be one of its values (AND
 * across fields, OR within one). Fields are those the registry declares filterable.
 */
export type SearchFilter = Readonly<Record<string, readonly string[]>>;

/** What a search asks besides the query vector. */
export interface SearchOptions {
  /** Default `vector`. */
  mode?: SearchMode | undefined;
  /** Hybrid mode: how the two lists are fused (fusion.ts). Default `relative`. */
  fusion?: Fusion | undefined;
  /** The query's words (keyword and hybrid modes). */
  text?: string | undefined;
  /** Applied inside each retriever, before any top-k: a filtered search still fills `limit`. */
  filter?: SearchFilter | undefined;
  /**
   * Hybrid mode: only vector hits with at least this cosine similarity enter the fusion, so an
   * unrelated entity is not fused in just for being the nearest of a poor lot. Default 0.
   */
  vectorFloor?: number | undefined;
}

/** A search result. */
export interface SearchHit {
  /** The entity id. */
  id: string;
  /**
   * Higher is better. `vector`: cosine similarity. `keyword`: BM25 as bm25 / (bm25 + 1), 0..1.
   * `hybrid`: 0..1, 1 = best in both lists: by default the relative fusion's weighed sum of
   * normalized scores, with `fusion: "rrf"` the RRF score over its maximum (fusion.ts).
   */
  score: number;
  /** The event data of the entity's latest stored version. */
  data: Record<string, unknown>;
  /** A chunked entity: its best chunk (one hit per entity, scored by that chunk). */
  highlight?: Highlight | undefined;
}

/** The payload stored beside each vector. */
export interface StoredPayload {
  tenantId: string;
  entityId: string;
  version: number;
  data: Record<string, unknown>;
}

/** One page of a tenant's stored entities with their versions (reconciliation). */
export interface VersionPage {
  /** Live points only (no tombstones), in the store's own order. */
  entries: { entityId: string; version: number }[];
  /** Opaque cursor of the next page; null on the last page. */
  next: string | null;
}

/** What the store holds for one entity: its version, and whether that version is a delete. */
export interface StoredVersion {
  version: number;
  deleted: boolean;
}

/** Where vectors live. Every method that reads takes the tenant and filters on it server-side. */
export interface VectorStore {
  /** Short label for logs and metrics. */
  readonly name: string;
  /**
   * Creates what is missing (collections, indexes) for vectors of `dims` dimensions, for
   * `collections` (default `COLLECTIONS`; a test's extended registry names more).
   */
  init(dims: number, collections?: readonly Collection[]): Promise<void>;
  /**
   * One bulk upsert and one bulk delete for a collection, resolving only once the store has
   * acknowledged them. Operations older than the stored version are dropped.
   */
  write(
    collection: Collection,
    ops: { upserts: readonly PointUpsert[]; deletes: readonly PointDelete[] },
  ): Promise<WriteResult>;
  /**
   * The best `limit` points of one tenant, best first. `vector` may be null in keyword mode
   * (nothing to embed); filters apply inside each retriever. A zero vector (a text with nothing
   * to embed) has no direction, so no cosine to anything: it finds nothing, never every point.
   */
  search(
    collection: Collection,
    tenantId: string,
    vector: Float32Array | null,
    limit: number,
    options?: SearchOptions,
  ): Promise<SearchHit[]>;
  /**
   * The stored version of each of these entities of one tenant, in one query (read-your-writes);
   * an entity the store does not hold is absent from the map.
   */
  versions(
    collection: Collection,
    tenantId: string,
    entityIds: readonly string[],
  ): Promise<Map<string, StoredVersion>>;
  /** Number of stored points, of one tenant or of all. */
  count(collection: Collection, tenantId?: string): Promise<number>;
  /**
   * Up to `limit` live points of one tenant with their versions, from `cursor` (null: the
   * start). Payload only, never vectors.
   */
  listVersions(
    collection: Collection,
    tenantId: string,
    cursor: string | null,
    limit: number,
  ): Promise<VersionPage>;
  /**
   * Removes the tenant's points of `entityIds` whatever their version, tombstones included, so a
   * lower version can be written again (reconciliation of forged or replayed versions).
   */
  purge(collection: Collection, tenantId: string, entityIds: readonly string[]): Promise<void>;
  /**
   * Removes every point of the tenant in `collection`, tombstones included, with their vectors
   * and codes; answers how many points were removed (0 on a repeat). Other tenants' points are
   * untouched, and their searches keep answering while it runs.
   */
  eraseTenant(collection: Collection, tenantId: string): Promise<number>;
  /** Rejects when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** True when every component is 0: a vector no cosine similarity is defined for. */
export function isZeroVector(vector: Float32Array): boolean {
  for (const x of vector) if (x !== 0) return false;
  return true;
}
