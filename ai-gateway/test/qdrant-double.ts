import type { Operation, QdrantSchema } from "./qdrant-schema.ts";

interface StoredPoint {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
}

interface DoubleCollection {
  size: number;
  distance: string;
  points: Map<string, StoredPoint>;
  indexes: Map<string, unknown>;
}

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
        this.collections.set(name, {
          size: vectors.size,
          distance: vectors.distance,
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
        for (const point of b.points as StoredPoint[]) {
          if (point.vector.length !== collection.size)
            return this.#refuse(400, "wrong vector size");
          collection.points.set(String(point.id), { ...point, payload: point.payload ?? {} });
        }
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
      case "POST /collections/{collection_name}/points/query": {
        const query = b.query as number[];
        const points = [...collection.points.values()]
          .filter((p) => matches(p, b.filter))
          .map((p) => ({
            id: p.id,
            version: 1,
            score: cosine(query, p.vector),
            payload: p.payload,
          }))
          .sort((x, y) => y.score - x.score)
          .slice(0, typeof b.limit === "number" ? b.limit : 10);
        return { points };
      }
    }
    return this.#refuse(501, `${key}: valid, but the double does not implement it`);
  }
}

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

type Condition = { key: string; match: { value: unknown } };

/** The subset of Qdrant filters the gateway uses: `must` / `must_not` of `{ key, match: { value } }`. */
function matches(point: StoredPoint, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  const { must = [], must_not = [] } = filter as { must?: Condition[]; must_not?: Condition[] };
  const holds = (condition: Condition) => point.payload[condition.key] === condition.match.value;
  return must.every(holds) && !must_not.some(holds);
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
