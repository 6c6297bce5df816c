import {
  type AuthOptions,
  type AuthVariables,
  auth,
  dependencyDown,
  describeError,
  errorResponse,
  jsonBody,
  type Logger,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { type Embedder, embedAll } from "../embedders/index.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { UsageMeter } from "../usage/index.ts";
import { COLLECTIONS, type Collection, type VectorStore } from "../vectors/index.ts";

const Q = v.pipe(
  v.string(),
  v.minLength(1, "must be 1–512 characters"),
  v.maxLength(512, "must be 1–512 characters"),
);
const Type = v.optional(v.picklist(COLLECTIONS, "must be users or tasks"), "users");
const LIMIT = "must be an integer from 1 to 100";

// Unknown keys (a `tenantId`, say) are dropped, never used: the tenant comes from the token only.
const SearchQuery = v.object({
  q: Q,
  type: Type,
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,3}$/, LIMIT),
      v.transform(Number),
      v.number(),
      v.minValue(1, LIMIT),
      v.maxValue(100, LIMIT),
    ),
    "10",
  ),
});
const SearchBody = v.object({
  q: Q,
  type: Type,
  limit: v.optional(
    v.pipe(v.number(LIMIT), v.integer(LIMIT), v.minValue(1, LIMIT), v.maxValue(100, LIMIT)),
    10,
  ),
});

/** What the search routes need. */
export interface SearchDeps {
  auth: AuthOptions;
  embedder: Embedder;
  store: VectorStore;
  usage: UsageMeter;
  metrics: GatewayMetrics;
  logger: Logger;
}

const docs = (method: string) =>
  describeRoute({
    tags: ["search"],
    summary: `Semantic search in the caller's tenant (${method})`,
    responses: {
      200: { description: "`{ hits: [{ id, type, score, data }], tookMs }`, best first" },
      400: errorResponse("A parameter is invalid; `details` names it"),
      401: errorResponse("No or bad token"),
      503: errorResponse(
        "Embedder or vector store unavailable; `details.dependency` names it, `Retry-After` says when to retry",
      ),
    },
  });

/** `GET /search` and `POST /search`, scoped to the token's tenant. */
export function searchRoutes(deps: SearchDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const search = async (
    tenantId: string,
    input: { q: string; type: Collection; limit: number },
  ) => {
    const started = performance.now();
    let vector: Float32Array | undefined;
    try {
      [vector] = await embedAll(deps.embedder, [input.q]);
      if (!vector) throw new Error("embedder returned no vector");
    } catch (error) {
      throw dependencyDown("embedder", error);
    }
    let hits: Awaited<ReturnType<VectorStore["search"]>>;
    try {
      hits = await deps.store.search(input.type, tenantId, vector, input.limit);
    } catch (error) {
      throw dependencyDown("vector store", error);
    }
    // Metering must not take away an answer that is ready: a failed record (full disk, Kafka
    // down) is logged and counted, and the search is answered.
    try {
      await deps.usage.record([{ tenantId, metric: "searches", amount: 1 }]);
    } catch (error) {
      deps.metrics.usageFailures.inc({ metric: "searches" });
      deps.logger.warn({ tenantId, err: describeError(error) }, "recording search usage failed");
    }
    const tookMs = Math.round((performance.now() - started) * 100) / 100;
    deps.metrics.searchSeconds.observe({ collection: input.type }, tookMs / 1000);
    return {
      hits: hits.map((hit) => ({ id: hit.id, type: input.type, score: hit.score, data: hit.data })),
      tookMs,
    };
  };
  app.get(
    "/search",
    docs("query string"),
    auth(deps.auth),
    validate("query", SearchQuery),
    async (c) => c.json(await search(c.get("auth").tenantId, c.req.valid("query"))),
  );
  app.post(
    "/search",
    docs("JSON body"),
    auth(deps.auth),
    jsonBody(),
    validate("json", SearchBody),
    async (c) => c.json(await search(c.get("auth").tenantId, c.req.valid("json"))),
  );
  return app;
}
