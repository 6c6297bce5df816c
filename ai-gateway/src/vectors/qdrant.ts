// The Qdrant adapter of VectorStore: one collection per type, tombstones for deletes, tenant filters.
import { filterFieldsOf } from "@event-mesh/contracts";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { fuseRelative, fusionCandidates } from "./fusion.ts";
import {
  COLLECTIONS,
  type Collection,
  isZeroVector,
  type PointDelete,
  type PointUpsert,
  type SearchHit,
  type SearchOptions,
  type StoredVersion,
  type VectorStore,
  type VersionPage,
  type WriteResult,
} from "./index.ts";
import { pointId } from "./point-id.ts";
import { bestPerEntity, EXTRA_CHUNK, OVERFETCH, surplusChunkIds } from "./qdrant-chunks.ts";
import { ensureCollection } from "./qdrant-collections.ts";
import { qdrantPoints } from "./qdrant-points.ts";
import { hybridBatch, type QdrantSearch, queryBody, readHits, TOMBSTONE } from "./qdrant-search.ts";
import { createQdrantClient } from "./qdrant-transport.ts";
import { entityVersions, storedVersions, versionPage } from "./qdrant-versions.ts";

/** Where the Qdrant server is. */
export interface QdrantStoreOptions {
  url: string;
  apiKey?: string | undefined;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
  /** Prepended to every collection name (`test-1-` → `test-1-users`); default none. */
  collectionPrefix?: string | undefined;
  /**
   * Fields given a payload index in every collection: default, all that the registry declares
   * filterable. Every collection gets all of them, because the store sees generations' physical
   * names (`tasks__g2`), not the registry's; an index on a field a collection lacks is empty.
   */
  filterFields?: readonly string[] | undefined;
}

/**
 * Qdrant adapter: one collection per entity type (`<prefix><type>`), cosine distance, `tenantId`
 * as a keyword payload index with `is_tenant: true` (Qdrant co-locates each tenant's points), and
 * a `must` filter on the tenant in every read.
 *
 * A delete does not remove the point: it overwrites it with a tombstone (`deleted: true`, the
 * delete's version, no data, a vector that is not the entity's), so that a late, older upsert
 * is recognised as stale instead of bringing the entity back, as in sqlite-vec. Every read and
 * count filters tombstones out.
 */
export class QdrantStore implements VectorStore {
  readonly name = "qdrant";
  readonly #client: QdrantClient;
  readonly #prefix: string;
  readonly #filterFields: readonly string[];
  /** Collections made before keyword search (no sparse vectors): vector retrieval only. */
  readonly #keywordless = new Set<string>();
  #dims = 0;

  constructor(options: QdrantStoreOptions) {
    // Uncompressed answers: see qdrant-transport.ts (a 40 ms stall per request otherwise).
    this.#client = createQdrantClient(options);
    this.#prefix = options.collectionPrefix ?? "";
    this.#filterFields = options.filterFields ?? [
      ...new Set([...filterFieldsOf().values()].flat()),
    ];
  }

  /** The Qdrant collection that holds `collection`'s points. */
  #name(collection: Collection): string {
    return `${this.#prefix}${collection}`;
  }

  async init(dims: number, collections: readonly Collection[] = COLLECTIONS): Promise<void> {
    this.#dims = dims;
    for (const collection of collections) {
      const name = this.#name(collection);
      const keywords = await ensureCollection(this.#client, name, dims, this.#filterFields);
      if (keywords) this.#keywordless.delete(name);
      else this.#keywordless.add(name);
    }
  }

  async write(
    collection: Collection,
    ops: { upserts: readonly PointUpsert[]; deletes: readonly PointDelete[] },
  ): Promise<WriteResult> {
    const name = this.#name(collection);
    const ids = [...ops.upserts.map((p) => p.id), ...ops.deletes.map((p) => p.id)];
    if (ids.length === 0) return { upserted: 0, deleted: 0, stale: 0 };
    const stored = await storedVersions(this.#client, name, ids);
    const isStale = (id: string, version: number) => (stored.get(id)?.version ?? 0) > version;
    const upserts = ops.upserts.filter((p) => !isStale(p.id, p.version));
    const deletes = ops.deletes.filter((p) => !isStale(p.id, p.version));
    const keywords = !this.#keywordless.has(name);
    // Chunk points an update (fewer chunks) or a delete (none) leaves over.
    const surplus = [
      ...upserts.map((p) =>
        surplusChunkIds(p.id, stored.get(p.id)?.chunks ?? 1, p.chunks?.length ?? 1),
      ),
      ...deletes.map((p) => surplusChunkIds(p.id, stored.get(p.id)?.chunks ?? 1, 1)),
    ].flat();
    const points = qdrantPoints(upserts, deletes, keywords, this.#dims);
    // Surplus chunks go first: a search in between may miss a chunk, never find a stale one.
    if (surplus.length > 0) await this.#client.delete(name, { wait: true, points: surplus });
    // One request: live points and tombstones alike are upserts.
    if (points.length > 0) await this.#client.upsert(name, { wait: true, points });
    return {
      upserted: upserts.length,
      deleted: deletes.length,
      stale: ids.length - upserts.length - deletes.length,
    };
  }

  versions(
    collection: Collection,
    tenantId: string,
    entityIds: readonly string[],
  ): Promise<Map<string, StoredVersion>> {
    return entityVersions(this.#client, this.#name(collection), collection, tenantId, entityIds);
  }

  async search(
    collection: Collection,
    tenantId: string,
    vector: Float32Array | null,
    limit: number,
    options: SearchOptions = {},
  ): Promise<SearchHit[]> {
    // A zero vector (nothing to embed) has no direction: it finds nothing, never every point.
    if (vector && isZeroVector(vector)) return [];
    // Points are chunks, several maybe one entity's: each list reads `factor` times the
    // entities it needs and keeps each entity's best; read again, more, while too few entities
    // came back from a full answer.
    for (let factor = OVERFETCH; ; factor *= OVERFETCH) {
      const found = await this.#searchPoints(collection, tenantId, vector, limit, factor, options);
      if (found.hits.length === limit || !found.full) return found.hits;
    }
  }

  /**
   * One search: at most `limit` entities, best first, from lists of `factor` × as many points;
   * `full` when a list had that many points to give (more entities may lie beyond).
   */
  async #searchPoints(
    collection: Collection,
    tenantId: string,
    vector: Float32Array | null,
    limit: number,
    factor: number,
    options: SearchOptions,
  ): Promise<{ hits: SearchHit[]; full: boolean }> {
    const name = this.#name(collection);
    const entities = fusionCandidates(limit);
    const search: QdrantSearch = {
      mode: options.mode ?? "vector",
      tenantId,
      vector,
      text: options.text ?? "",
      limit: limit * factor,
      candidates: entities * factor,
      filter: options.filter,
      vectorFloor: options.vectorFloor ?? 0,
      keywords: !this.#keywordless.has(name),
      fusion: options.fusion ?? "relative",
    };
    if (search.mode === "hybrid" && search.fusion === "relative") {
      const batch = hybridBatch(search);
      if (!batch) return { hits: [], full: false };
      const searches = [batch.byMeaning, batch.byWords].filter((body) => body !== null);
      const answers = await this.#client.queryBatch(name, { searches });
      const full = answers.some((answer) => answer.points.length >= search.candidates);
      // Each list keeps an entity's best chunk only, as many entities as sqlite-vec fuses.
      const lists = answers.map((answer) =>
        bestPerEntity(
          readHits(answer.points, tenantId, (s) => s),
          entities,
        ),
      );
      const byMeaning = batch.byMeaning ? (lists.shift() ?? []) : [];
      return { hits: fuseRelative(byMeaning, lists.shift() ?? [], limit), full };
    }
    const request = queryBody(search);
    if (!request) return { hits: [], full: false };
    const response = await this.#client.query(name, request.body);
    const hits = bestPerEntity(readHits(response.points, tenantId, request.score), limit);
    return { hits, full: response.points.length >= search.limit };
  }

  async count(collection: Collection, tenantId?: string): Promise<number> {
    const must = tenantId === undefined ? [] : [{ key: "tenantId", match: { value: tenantId } }];
    const result = await this.#client.count(this.#name(collection), {
      exact: true,
      filter: { must, must_not: [TOMBSTONE, EXTRA_CHUNK] },
    });
    return result.count;
  }

  listVersions(
    collection: Collection,
    tenantId: string,
    cursor: string | null,
    limit: number,
  ): Promise<VersionPage> {
    return versionPage(this.#client, this.#name(collection), tenantId, cursor, limit);
  }

  async eraseTenant(collection: Collection, tenantId: string): Promise<number> {
    const name = this.#name(collection);
    // Tombstones too: no must_not here, the erase takes every point of the tenant.
    const filter = { must: [{ key: "tenantId", match: { value: tenantId } }] };
    const { count } = await this.#client.count(name, { exact: true, filter });
    if (count > 0) await this.#client.delete(name, { wait: true, filter });
    return count;
  }

  async purge(
    collection: Collection,
    tenantId: string,
    entityIds: readonly string[],
  ): Promise<void> {
    if (entityIds.length === 0) return;
    // Point ids carry the tenant, so another tenant's point cannot be named here.
    const name = this.#name(collection);
    const ids = entityIds.map((id) => pointId(collection, tenantId, id));
    const stored = await storedVersions(this.#client, name, ids);
    const chunks = ids.flatMap((id) => surplusChunkIds(id, stored.get(id)?.chunks ?? 1, 1));
    await this.#client.delete(name, { wait: true, points: [...chunks, ...ids] });
  }

  async ping(): Promise<void> {
    await this.#client.getCollections();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
