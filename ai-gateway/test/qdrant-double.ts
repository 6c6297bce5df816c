import type { Operation, QdrantSchema } from "./qdrant-schema.ts";

type Sparse = { indices: number[]; values: number[] };

interface StoredPoint {
  id: string | number;
  /** The default (unnamed) dense vector. */
  vector: number[];
  /** Named sparse vectors. */
  sparse: Map<string, Sparse>;
  payload: Record<string, unknown>;
}

interface DoubleCollection {
  size: number;
  distance: string;
  /** Sparse vector name → its modifier (`idf` or `none`). */
  sparse: Map<string, string>;
  points: Map<string, StoredPoint>;
  indexes: Map<string, unknown>;
}

/** One query or prefetch of the Query API, as the gateway sends them. */
interface QueryPart {
  prefetch?: QueryPart | QueryPart[] | null;
  query?: unknown;
  using?: string | null;
  filter?: unknown;
  limit?: number | null;
  score_threshold?: number | null;
}

/** Qdrant's default RRF constant, when a request names none (`{"fusion": "rrf"}`). */
const QDRANT_DEFAULT_RRF_K = 2;

/** A request the double saw, after validation. */
export interface SeenRequest {
  method: string;
  path: string;
  template: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * A small in-memory Qdrant on 127.0.0.1 that checks every request (path, query parameters, body)
 * against Qdrant's OpenAPI schema and every answer it gives against the same schema. Anything
 * that does not match is answered 400 (request) or 500 (its own answer) and listed in `problems`.
 */
export class QdrantDouble {
  readonly problems: string[] = [];
  readonly requests: SeenRequest[] = [];
  readonly collections = new Map<string, DoubleCollection>();
  /** Alias name → collection name. */
  readonly aliases = new Map<string, string>();
  #server: ReturnType<typeof Bun.serve> | null = null;

  constructor(private readonly schema: QdrantSchema) {}

  get url(): string {
    if (!this.#server) throw new Error("double not started");
    return `http://127.0.0.1:${this.#server.port}`;
  }

  start(): this {
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => this.#handle(request),
    });
    return this;
  }

  stop(): void {
    this.#server?.stop(true);
  }

  /** Checks a body against an operation's request schema; the errors, or [] when valid. */
  checkRequestBody(method: string, path: string, body: unknown): string[] {
    const op = this.schema.find(method, path);
    if (!op?.body) return [`${method} ${path}: not in the schema`];
    return op.body(body) ? [] : (op.body.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const op = this.schema.find(request.method, url.pathname);
    if (!op)
      return this.#refuse(
        404,
        `${request.method} ${url.pathname}: no such path in Qdrant's schema`,
      );
    const query = Object.fromEntries(url.searchParams);
    for (const [name, value] of Object.entries(query)) {
      const validate = op.query.get(name);
      if (!validate) return this.#refuse(400, `${op.template}: unknown query parameter ${name}`);
      if (!validate(coerce(value)))
        return this.#refuse(400, `${op.template}: query ${name}=${value} invalid`);
    }
    let body: unknown;
    if (op.body) {
      const text = await request.text();
      try {
        body = JSON.parse(text);
      } catch {
        return this.#refuse(400, `${op.template}: body is not JSON`);
      }
      if (!op.body(body)) {
        const why = (op.body.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
        return this.#refuse(
          400,
          `${request.method} ${op.template}: body invalid: ${why.join("; ")}`,
        );
      }
    }
    this.requests.push({
      method: request.method,
      path: url.pathname,
      template: op.template,
      query,
      body,
    });
    const name = decodeURIComponent(url.pathname.split("/")[2] ?? "");
    const result = this.#answer(op, name, body);
    if (result instanceof Response) return result;
    const answer = { result, status: "ok", time: 0.0001 };
    if (op.ok && !op.ok(answer)) {
      const why = (op.ok.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
      this.problems.push(
        `double's own answer to ${op.template} is not schema-valid: ${why.join("; ")}`,
      );
      return Response.json({ status: { error: "double bug" } }, { status: 500 });
    }
    return Response.json(answer);
  }

  /** All actions or none, as Qdrant applies them: a missing alias or collection fails the lot. */
  #changeAliases(actions: AliasAction[]): true | Response {
    const next = new Map(this.aliases);
    for (const action of actions) {
      if ("delete_alias" in action) {
        const alias = action.delete_alias.alias_name;
        if (!next.delete(alias)) return this.#refuse(404, `alias ${alias} does not exist`);
      } else if ("create_alias" in action) {
        const { alias_name, collection_name } = action.create_alias;
        if (!this.collections.has(collection_name))
          return this.#refuse(404, `collection ${collection_name} not found`);
        if (next.has(alias_name)) return this.#refuse(409, `alias ${alias_name} already exists`);
        next.set(alias_name, collection_name);
      } else {
        return this.#refuse(501, "alias action: valid, but the double does not implement it");
      }
    }
    this.aliases.clear();
    for (const [alias, target] of next) this.aliases.set(alias, target);
    return true;
  }

  #refuse(status: number, message: string): Response {
    this.problems.push(message);
    return Response.json({ status: { error: message }, time: 0 }, { status });
  }

  #answer(op: Operation, name: string, body: unknown): unknown {
    const key = `${op.method} ${op.template}`;
    // Like Qdrant, an alias works wherever a collection name does.
    const collection = this.collections.get(this.aliases.get(name) ?? name);
    const b = (body ?? {}) as Record<string, unknown>;
    const done = { operation_id: 1, status: "completed" };
    switch (key) {
      case "GET /collections":
        return { collections: [...this.collections.keys()].map((n) => ({ name: n })) };
      case "GET /aliases":
        return { aliases: [...this.aliases].map(([alias, target]) => aliasOf(alias, target)) };
      case "POST /collections/aliases":
        return this.#changeAliases(b.actions as AliasAction[]);
      case "GET /collections/{collection_name}/exists":
        return { exists: collection !== undefined };
      case "PUT /collections/{collection_name}": {
        // What Qdrant 1.19 answers (checked against a real server): a 409 ErrorResponse. Not a
        // problem of the client: gateways starting together race to create collections.
        if (collection) {
          return Response.json(
            {
              status: { error: `Wrong input: Collection \`${name}\` already exists!` },
              time: 0.0001,
            },
            { status: 409 },
          );
        }
        const vectors = b.vectors as { size: number; distance: string };
        const sparse = (b.sparse_vectors ?? {}) as Record<string, { modifier?: string | null }>;
        this.collections.set(name, {
          size: vectors.size,
          distance: vectors.distance,
          sparse: new Map(Object.entries(sparse).map(([n, p]) => [n, p.modifier ?? "none"])),
          points: new Map(),
          indexes: new Map(),
        });
        return true;
      }
    }
    if (!collection) return this.#refuse(404, `collection ${name} not found`);
    switch (key) {
      case "DELETE /collections/{collection_name}":
        this.collections.delete(name);
        return true;
      case "GET /collections/{collection_name}/aliases":
        return {
          aliases: [...this.aliases]
            .filter(([, target]) => target === name)
            .map(([alias, target]) => aliasOf(alias, target)),
        };
      case "GET /collections/{collection_name}":
        return collectionInfo(collection);
      case "PUT /collections/{collection_name}/index":
        collection.indexes.set(String(b.field_name), b.field_schema);
        return done;
      case "PUT /collections/{collection_name}/points": {
        const stored: StoredPoint[] = [];
        for (const point of b.points as {
          id: string | number;
          vector: unknown;
          payload?: Record<string, unknown>;
        }[]) {
          const parsed = vectorsOf(point.vector, collection);
          if (typeof parsed === "string") return this.#refuse(400, parsed);
          stored.push({ id: point.id, ...parsed, payload: point.payload ?? {} });
        }
        // Like Qdrant, an upsert replaces the whole point: vectors (sparse ones too) and payload.
        for (const point of stored) collection.points.set(String(point.id), point);
        return done;
      }
      case "POST /collections/{collection_name}/points":
        return (b.ids as (string | number)[])
          .map((id) => collection.points.get(String(id)))
          .filter((p) => p !== undefined)
          .map((p) => ({ id: p.id, payload: p.payload }));
      case "POST /collections/{collection_name}/points/delete":
        for (const id of (b.points as (string | number)[]) ?? [])
          collection.points.delete(String(id));
        // The other PointsSelector: every point the filter matches (a tenant's erase).
        if (b.filter !== undefined)
          for (const [id, point] of [...collection.points])
            if (matches(point, b.filter)) collection.points.delete(id);
        return done;
      case "POST /collections/{collection_name}/points/scroll": {
        // Qdrant scrolls in point id order; `offset` is the first id of the page.
        const limit = typeof b.limit === "number" ? b.limit : 10;
        const from = b.offset === undefined || b.offset === null ? "" : String(b.offset);
        const sorted = [...collection.points.values()]
          .filter((p) => matches(p, b.filter) && String(p.id) >= from)
          .sort((x, y) => (String(x.id) < String(y.id) ? -1 : 1));
        const page = sorted.slice(0, limit).map((p) => ({ id: p.id, payload: p.payload }));
        return { points: page, next_page_offset: sorted[limit]?.id ?? null };
      }
      case "POST /collections/{collection_name}/points/count":
        return {
          count: [...collection.points.values()].filter((p) => matches(p, b.filter)).length,
        };
      case "POST /collections/{collection_name}/points/query/batch": {
        const answers = [];
        for (const search of (b.searches as QueryPart[] | undefined) ?? []) {
          const ranked = runQuery(collection, search);
          if (typeof ranked === "string") return this.#refuse(501, ranked);
          answers.push({ points: ranked.map(({ point, score }) => scored(point, score)) });
        }
        return answers;
      }
      case "POST /collections/{collection_name}/points/query": {
        const ranked = runQuery(collection, b as QueryPart);
        if (typeof ranked === "string") return this.#refuse(501, ranked);
        return {
          points: ranked.map(({ point, score }) => scored(point, score)),
        };
      }
    }
    return this.#refuse(501, `${key}: valid, but the double does not implement it`);
  }
}

/** A ranked point as the Query API answers it. */
const scored = (point: StoredPoint, score: number) => ({
  id: point.id,
  version: 1,
  score,
  payload: point.payload,
});

/** The alias actions the gateway sends (the schema allows `rename_alias` too). */
type AliasAction =
  | { create_alias: { alias_name: string; collection_name: string } }
  | { delete_alias: { alias_name: string } };

const aliasOf = (alias_name: string, collection_name: string) => ({ alias_name, collection_name });

function coerce(value: string): unknown {
  if (value === "true" || value === "false") return value === "true";
  if (/^-?\d+$/.test(value)) return Number(value);
  return value;
}

type Condition = { key: string; match: { value: unknown } | { any: unknown[] } };

/** A payload value by Qdrant's dotted key (`filters.status`). */
function valueAt(payload: Record<string, unknown>, key: string): unknown {
  let value: unknown = payload;
  for (const part of key.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The subset of Qdrant filters the gateway uses: `must` / `must_not` of `{ key, match: { value } }`
 * or `{ key, match: { any } }`, keys dotted into nested objects.
 */
function matches(point: StoredPoint, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  const { must = [], must_not = [] } = filter as { must?: Condition[]; must_not?: Condition[] };
  const holds = ({ key, match }: Condition) => {
    const value = valueAt(point.payload, key);
    return "any" in match ? match.any.includes(value) : value === match.value;
  };
  return must.every(holds) && !must_not.some(holds);
}

/** A point's vectors from an upsert: a plain dense array, or named (`""` is the dense one). */
function vectorsOf(
  vector: unknown,
  collection: DoubleCollection,
): { vector: number[]; sparse: Map<string, Sparse> } | string {
  const named: Record<string, unknown> = Array.isArray(vector)
    ? { "": vector }
    : (vector as Record<string, unknown>);
  const sparse = new Map<string, Sparse>();
  let dense: number[] | undefined;
  for (const [name, value] of Object.entries(named)) {
    if (name === "" && Array.isArray(value)) dense = value as number[];
    else if (collection.sparse.has(name)) sparse.set(name, value as Sparse);
    else return `vector "${name}" is not configured in this collection`;
  }
  if (!dense || dense.length !== collection.size) return "wrong vector size";
  return { vector: dense, sparse };
}

/**
 * Qdrant's inverse document frequency of a sparse dimension: ln(1 + (N − n + 0.5) / (n + 0.5)),
 * N the points with that sparse vector, n those with the dimension.
 */
function idf(collection: DoubleCollection, using: string, index: number): number {
  let total = 0;
  let having = 0;
  for (const point of collection.points.values()) {
    const sparse = point.sparse.get(using);
    if (!sparse) continue;
    total++;
    if (sparse.indices.includes(index)) having++;
  }
  return Math.log(1 + (total - having + 0.5) / (having + 0.5));
}

/** A sparse query's score of a point: the dot product, each dimension weighted by IDF if asked. */
function sparseScore(
  collection: DoubleCollection,
  using: string,
  query: Sparse,
  point: StoredPoint,
) {
  const stored = point.sparse.get(using);
  if (!stored) return null;
  let score = 0;
  let shared = false;
  query.indices.forEach((index, i) => {
    const at = stored.indices.indexOf(index);
    if (at === -1) return;
    shared = true;
    const weight = collection.sparse.get(using) === "idf" ? idf(collection, using, index) : 1;
    score += (query.values[i] ?? 0) * (stored.values[at] ?? 0) * weight;
  });
  // Like Qdrant, a sparse search only returns points that share a dimension with the query.
  return shared ? score : null;
}

type Ranked = { point: StoredPoint; score: number }[];

/**
 * The Query API over the double's points: a dense or a sparse nearest query, or prefetches fused
 * by RRF (Qdrant's formula: 1 / (k + position), position 0 for each list's best). Anything else
 * is answered with what is missing (the request was schema-valid; the double lacks it).
 */
function runQuery(collection: DoubleCollection, part: QueryPart): Ranked | string {
  const limit = typeof part.limit === "number" ? part.limit : 10;
  const candidates = [...collection.points.values()].filter((p) => matches(p, part.filter));
  const query = part.query as Record<string, unknown> | unknown[] | null | undefined;
  if (part.prefetch) {
    const lists: Ranked[] = [];
    for (const sub of Array.isArray(part.prefetch) ? part.prefetch : [part.prefetch]) {
      const ranked = runQuery(collection, sub);
      if (typeof ranked === "string") return ranked;
      lists.push(ranked);
    }
    let k: number | undefined;
    if (query && !Array.isArray(query) && query.fusion === "rrf") k = QDRANT_DEFAULT_RRF_K;
    if (query && !Array.isArray(query) && typeof query.rrf === "object" && query.rrf !== null)
      k = (query.rrf as { k?: number | null }).k ?? QDRANT_DEFAULT_RRF_K;
    if (k === undefined) return "a prefetch query other than RRF fusion";
    const fused = new Map<string, { point: StoredPoint; score: number }>();
    for (const list of lists) {
      list.forEach(({ point }, position) => {
        const entry = fused.get(String(point.id)) ?? { point, score: 0 };
        entry.score += 1 / ((k as number) + position);
        fused.set(String(point.id), entry);
      });
    }
    const allowed = new Set(candidates.map((p) => String(p.id)));
    return [...fused.values()]
      .filter((entry) => allowed.has(String(entry.point.id)))
      .sort((x, y) => y.score - x.score)
      .slice(0, limit);
  }
  let scored: Ranked;
  if (Array.isArray(query)) {
    if (part.using) return "a named dense vector";
    scored = candidates.map((point) => ({ point, score: cosine(query as number[], point.vector) }));
  } else if (query && Array.isArray(query.indices) && Array.isArray(query.values)) {
    const using = part.using ?? "";
    if (!collection.sparse.has(using)) return `sparse vector "${using}" is not configured`;
    scored = candidates.flatMap((point) => {
      const score = sparseScore(collection, using, query as Sparse, point);
      return score === null ? [] : [{ point, score }];
    });
  } else {
    return "this kind of query";
  }
  const threshold = part.score_threshold;
  return scored
    .filter(({ score }) => typeof threshold !== "number" || score >= threshold)
    .sort((x, y) => y.score - x.score)
    .slice(0, limit);
}

/** Cosine similarity, as Qdrant computes it for a Cosine collection (0 for a zero vector). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function collectionInfo(collection: DoubleCollection): unknown {
  return {
    status: "green",
    optimizer_status: "ok",
    points_count: collection.points.size,
    indexed_vectors_count: 0,
    segments_count: 1,
    config: {
      params: {
        vectors: { size: collection.size, distance: collection.distance },
        ...(collection.sparse.size > 0
          ? {
              sparse_vectors: Object.fromEntries(
                [...collection.sparse].map(([name, modifier]) => [name, { modifier }]),
              ),
            }
          : {}),
        shard_number: 1,
        replication_factor: 1,
      },
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
      optimizer_config: { default_segment_number: 0, flush_interval_sec: 5 },
    },
    payload_schema: Object.fromEntries(
      [...collection.indexes.entries()].map(([field, schema]) => [
        field,
        {
          data_type: typeof schema === "string" ? schema : (schema as { type: string }).type,
          points: collection.points.size,
        },
      ]),
    ),
  };
}
