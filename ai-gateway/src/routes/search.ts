import { filterFieldsOf, textOfCollections } from "@event-mesh/contracts";
import {
  type AuthOptions,
  type AuthVariables,
  auth,
  dependencyDown,
  describeError,
  errorResponse,
  invalidInput,
  jsonBody,
  jsonContent,
  type Logger,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { DEFAULT_MIN_SCORE } from "../config.ts";
import { type Embedder, embedAll } from "../embedders/index.ts";
import { admitSearch } from "../freshness/after.ts";
import type { FreshnessWaiters } from "../freshness/waiters.ts";
import type { TenantAdmission } from "../limits/admission.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { type RerankStep, rerankHits } from "../rerank/apply.ts";
import type { UsageMeter } from "../usage/index.ts";
import type { Fusion } from "../vectors/fusion.ts";
import {
  COLLECTIONS,
  type Collection,
  isZeroVector,
  type SearchMode,
  type VectorStore,
} from "../vectors/index.ts";
import { checkFilter, parseFilter } from "./search-params.ts";
import { searchSchemas } from "./search-schemas.ts";

const NOTHING_TO_SEARCH = "has no letter or digit to search for";
/** A letter or a digit of any script: what both retrievers can find an entity by. */
const SEARCHABLE = /[\p{L}\p{N}]/u;

/** What the search routes need. */
export interface SearchDeps {
  auth: AuthOptions;
  embedder: Embedder;
  store: VectorStore;
  usage: UsageMeter;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Where searches with a consistency token wait for their write. */
  freshness: FreshnessWaiters;
  /** SEARCH_MIN_SCORE: the floor when a request sets none; default `DEFAULT_MIN_SCORE`. */
  minScore?: number | undefined;
  /** The collections searched, from the event registry; default `COLLECTIONS`. */
  collections?: readonly Collection[] | undefined;
  /** Filterable fields per collection, from the event registry; default `filterFieldsOf()`. */
  filterFields?: ReadonlyMap<Collection, readonly string[]> | undefined;
  /** RERANK_URL and its settings: the fused top candidates are reranked; unset → never. */
  rerank?: RerankStep | undefined;
  /** The text each collection's entities are found by, for the reranker; default the registry's. */
  textOf?: ReadonlyMap<string, (data: Record<string, unknown>) => string> | undefined;
  /** TENANT_LIMITS' searchesPerSecond; unset → no limit. */
  admission?: TenantAdmission | undefined;
  /** MESH_TOKEN_KEYS: an `after` token must be signed by one of them. */
  meshTokenKeys: readonly string[];
}

const docs = (method: string, SearchResult: ReturnType<typeof searchSchemas>["SearchResult"]) =>
  describeRoute({
    tags: ["search"],
    summary: `Hybrid, semantic or keyword search in the caller's tenant (${method})`,
    responses: {
      200: {
        description: "The hits, best first, none scoring below `minScore`",
        content: jsonContent(SearchResult),
      },
      400: errorResponse(
        "A parameter is invalid (an `after` token not signed by this mesh included); `details` names it",
      ),
      429: errorResponse(
        "The tenant is over its searchesPerSecond (TENANT_LIMITS), or too many of its searches wait for their writes (SEARCH_WAITERS_PER_TENANT, SEARCH_WAITERS_MAX); `Retry-After` says when to retry",
      ),
      403: errorResponse("The consistency token (`after`) belongs to another tenant"),
      504: errorResponse(
        "`not_searchable_yet`: the write of the consistency token is not stored yet after SEARCH_WAIT_MAX_MS; retry after `Retry-After` seconds with the same token",
      ),
      503: errorResponse(
        "Embedder or vector store unavailable; `details.dependency` names it, `Retry-After` says when to retry",
      ),
    },
  });

/** `GET /search` and `POST /search`, scoped to the token's tenant. */
export function searchRoutes(deps: SearchDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const { SearchQuery, SearchBody, SearchResult } = searchSchemas(deps.collections ?? COLLECTIONS);
  const filterFields = deps.filterFields ?? filterFieldsOf();
  const textOf = deps.textOf ?? textOfCollections();
  const search = async (
    tenantId: string,
    input: {
      q: string;
      type: Collection;
      limit: number;
      minScore?: number | undefined;
      mode: SearchMode;
      fusion?: Fusion | undefined;
      filter?: Parameters<typeof parseFilter>[0];
      rerank?: boolean | undefined;
    },
  ) => {
    const rerank = input.rerank === false ? undefined : deps.rerank;
    const filter = parseFilter(input.filter, input.type, filterFields.get(input.type) ?? []);
    // `q=!!!` has nothing to search by in any mode: no word for the keyword index, a zero vector
    // (which would rank every entity alike) for the embedder.
    if (!SEARCHABLE.test(input.q))
      throw invalidInput([{ path: "q", message: NOTHING_TO_SEARCH }], `q ${NOTHING_TO_SEARCH}`);
    const started = performance.now();
    // A keyword search needs no embedding (and so works while the embedder is down).
    let vector: Float32Array | null = null;
    if (input.mode !== "keyword") {
      try {
        const [embedded] = await embedAll(deps.embedder, [input.q]);
        if (!embedded) throw new Error("embedder returned no vector");
        vector = embedded;
      } catch (error) {
        throw dependencyDown("embedder", error);
      }
    }
    // A model may still find nothing to embed (a hashing embedder drops what it cannot hash).
    if (vector && isZeroVector(vector))
      throw invalidInput([{ path: "q", message: NOTHING_TO_SEARCH }], `q ${NOTHING_TO_SEARCH}`);
    const cosineFloor = deps.minScore ?? DEFAULT_MIN_SCORE;
    let hits: Awaited<ReturnType<VectorStore["search"]>>;
    try {
      // A reranker reads more than it answers: the fused top RERANK_CANDIDATES.
      const wanted = rerank ? Math.max(input.limit, rerank.candidates) : input.limit;
      hits = await deps.store.search(input.type, tenantId, vector, wanted, {
        mode: input.mode,
        fusion: input.fusion,
        text: input.q,
        filter,
        // Hybrid fuses only vector hits above the deployment's cosine floor, so an unrelated
        // entity is not ranked in for being the nearest of a poor lot.
        vectorFloor: cosineFloor,
      });
    } catch (error) {
      throw dependencyDown("vector store", error);
    }
    // Metering must not take away an answer that is ready, nor hold it: a failed record (full
    // disk, Kafka down) is logged and counted, and the search is answered without waiting for
    // it. In Kafka mode the count lingers (USAGE_LINGER_MS) and goes out with others in one send.
    deps.usage
      .record([{ tenantId, metric: "searches", amount: 1 }], { linger: true })
      .catch((error) => {
        deps.metrics.usageFailures.inc({ metric: "searches" });
        deps.logger.warn({ tenantId, err: describeError(error) }, "recording search usage failed");
      });
    // Hits come best first, so filtering the top `limit` loses nothing above the floor. The
    // deployment's floor is a cosine: it floors vector hits (in hybrid, before the fusion); a
    // keyword hit already shares a word with the query, whatever its BM25 (SQLite's gives a word
    // in most texts a weight near 0). A reranker reorders what passed the floor; `score` stays
    // the mode's, so `minScore` keeps its meaning.
    const floor = input.minScore ?? (input.mode === "vector" ? cosineFloor : -1);
    const kept = hits.filter((hit) => hit.score >= floor);
    const toHit = (hit: (typeof hits)[number], rerankScore?: number) => ({
      id: hit.id,
      type: input.type,
      score: hit.score,
      ...(rerankScore === undefined ? {} : { rerankScore }),
      data: hit.data,
      ...(hit.highlight ? { highlight: hit.highlight } : {}),
    });
    let answer: ReturnType<typeof toHit>[];
    let reranked: boolean | undefined;
    if (rerank) {
      const text =
        textOf.get(input.type) ?? ((data: Record<string, unknown>) => JSON.stringify(data));
      // A long text is reranked by its best chunk: the reranker reads about as much as it.
      const textOfHit = (hit: (typeof hits)[number]) => hit.highlight?.text ?? text(hit.data);
      const out = await rerankHits(rerank, input.q, kept, textOfHit, input.limit);
      answer = out.hits.map((hit, i) => toHit(hit, out.scores?.[i]));
      reranked = out.reranked;
    } else answer = kept.slice(0, input.limit).map((hit) => toHit(hit));
    const tookMs = Math.round((performance.now() - started) * 100) / 100;
    deps.metrics.searchSeconds.observe({ collection: input.type }, tookMs / 1000);
    return { hits: answer, ...(deps.rerank ? { reranked: reranked ?? false } : {}), tookMs };
  };
  app.get(
    "/search",
    docs("query string", SearchResult),
    auth(deps.auth),
    validate("query", SearchQuery),
    checkFilter("query", filterFields),
    async (c) => {
      const { tenantId } = c.get("auth");
      const query = c.req.valid("query");
      await admitSearch(deps, tenantId, tokenOf(query.after), c.req.raw.signal);
      return c.json(await search(tenantId, query));
    },
  );
  app.post(
    "/search",
    docs("JSON body", SearchResult),
    auth(deps.auth),
    jsonBody(),
    validate("json", SearchBody),
    checkFilter("json", filterFields),
    async (c) => {
      const { tenantId } = c.get("auth");
      const body = c.req.valid("json");
      await admitSearch(deps, tenantId, tokenOf(body.after), c.req.raw.signal);
      return c.json(await search(tenantId, body));
    },
  );
  return app;
}

/** The consistency token of a search, from `after`. */
function tokenOf(after: string | undefined) {
  return after === undefined ? undefined : { text: after, field: "after" };
}
