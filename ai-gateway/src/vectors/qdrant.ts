import { QdrantClient } from "@qdrant/js-client-rest";
import { GatewayError } from "../errors.ts";
import {
  COLLECTIONS,
  type Collection,
  type PointDelete,
  type PointUpsert,
  type SearchHit,
  type StoredPayload,
  type VectorStore,
  type VersionPage,
  type WriteResult,
} from "./index.ts";
import { pointId } from "./point-id.ts";

/** Where the Qdrant server is. */
export interface QdrantStoreOptions {
  url: string;
  apiKey?: string | undefined;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
}

/**
 * Qdrant adapter: one collection per entity type, cosine distance, `tenantId` as a keyword payload
 * index with `is_tenant: true` (Qdrant co-locates each tenant's points), and a `must` filter on
 * the tenant in every read.
 */
export class QdrantStore implements VectorStore {
  readonly name = "qdrant";
  readonly #client: QdrantClient;

  constructor(options: QdrantStoreOptions) {
    this.#client = new QdrantClient({
      url: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      timeout: options.timeoutMs ?? 10_000,
      checkCompatibility: false,
    });
  }

  async init(dims: number, collections: readonly Collection[] = COLLECTIONS): Promise<void> {
    for (const collection of collections) {
      const { exists } = await this.#client.collectionExists(collection);
      if (!exists) {
        await this.#client.createCollection(collection, {
          vectors: { size: dims, distance: "Cosine" },
        });
      } else {
        const info = await this.#client.getCollection(collection);
        const vectors = info.config.params.vectors;
        const size = vectors && "size" in vectors ? vectors.size : undefined;
        if (size !== dims) {
          throw new GatewayError(
            "store_failed",
            `qdrant collection ${collection} has vectors of size ${String(size)}, the embedder makes ${dims}`,
          );
        }
      }
      // Idempotent: creating an existing index with the same schema is a no-op.
      await this.#client.createPayloadIndex(collection, {
        wait: true,
        field_name: "tenantId",
        field_schema: { type: "keyword", is_tenant: true },
      });
    }
  }

  async write(
    collection: Collection,
    ops: { upserts: readonly PointUpsert[]; deletes: readonly PointDelete[] },
  ): Promise<WriteResult> {
    const ids = [...ops.upserts.map((p) => p.id), ...ops.deletes.map((p) => p.id)];
    if (ids.length === 0) return { upserted: 0, deleted: 0, stale: 0 };
    const stored = await this.#storedVersions(collection, ids);
    const isStale = (id: string, version: number) => (stored.get(id) ?? 0) > version;
    const upserts = ops.upserts.filter((p) => !isStale(p.id, p.version));
    const deletes = ops.deletes.filter((p) => !isStale(p.id, p.version));
    if (upserts.length > 0) {
      await this.#client.upsert(collection, {
        wait: true,
        points: upserts.map((point) => {
          const payload: StoredPayload = {
            tenantId: point.tenantId,
            entityId: point.entityId,
            version: point.version,
            data: point.data,
          };
          return { id: point.id, vector: Array.from(point.vector), payload: { ...payload } };
        }),
      });
    }
    if (deletes.length > 0) {
      await this.#client.delete(collection, { wait: true, points: deletes.map((p) => p.id) });
    }
    return {
      upserted: upserts.length,
      deleted: deletes.length,
      stale: ids.length - upserts.length - deletes.length,
    };
  }

  async #storedVersions(collection: Collection, ids: string[]): Promise<Map<string, number>> {
    const points = await this.#client.retrieve(collection, {
      ids,
      with_payload: { include: ["version"] },
      with_vector: false,
    });
    const versions = new Map<string, number>();
    for (const point of points) {
      const version = point.payload?.version;
      if (typeof version === "number") versions.set(String(point.id), version);
    }
    return versions;
  }

  async search(
    collection: Collection,
    tenantId: string,
    vector: Float32Array,
    limit: number,
  ): Promise<SearchHit[]> {
    const response = await this.#client.query(collection, {
      query: Array.from(vector),
      filter: { must: [{ key: "tenantId", match: { value: tenantId } }] },
      limit,
      with_payload: true,
      with_vector: false,
    });
    const hits: SearchHit[] = [];
    for (const point of response.points) {
      const payload = point.payload ?? {};
      const data = payload.data;
      // Defence in depth: never hand out a point of another tenant, whatever the server did.
      if (payload.tenantId !== tenantId || typeof payload.entityId !== "string") continue;
      if (typeof data !== "object" || data === null || Array.isArray(data)) continue;
      hits.push({ id: payload.entityId, score: point.score, data: { ...data } });
    }
    return hits;
  }

  async count(collection: Collection, tenantId?: string): Promise<number> {
    const filter =
      tenantId === undefined
        ? undefined
        : { must: [{ key: "tenantId", match: { value: tenantId } }] };
    const result = await this.#client.count(collection, {
      exact: true,
      ...(filter ? { filter } : {}),
    });
    return result.count;
  }

  async listVersions(
    collection: Collection,
    tenantId: string,
    cursor: string | null,
    limit: number,
  ): Promise<VersionPage> {
    const page = await this.#client.scroll(collection, {
      filter: { must: [{ key: "tenantId", match: { value: tenantId } }] },
      limit,
      with_payload: { include: ["entityId", "version", "tenantId"] },
      with_vector: false,
      ...(cursor ? { offset: cursor } : {}),
    });
    const entries: VersionPage["entries"] = [];
    for (const point of page.points) {
      const { entityId, version, tenantId: owner } = point.payload ?? {};
      if (owner !== tenantId || typeof entityId !== "string" || typeof version !== "number")
        continue;
      entries.push({ entityId, version });
    }
    const next = page.next_page_offset;
    return {
      entries,
      next: typeof next === "string" || typeof next === "number" ? String(next) : null,
    };
  }

  async purge(
    collection: Collection,
    tenantId: string,
    entityIds: readonly string[],
  ): Promise<void> {
    if (entityIds.length === 0) return;
    // Point ids carry the tenant, so another tenant's point cannot be named here.
    const points = entityIds.map((id) => pointId(collection, tenantId, id));
    await this.#client.delete(collection, { wait: true, points });
  }

  async ping(): Promise<void> {
    await this.#client.getCollections();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
