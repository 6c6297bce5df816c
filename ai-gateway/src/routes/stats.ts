import {
  type AuthOptions,
  type AuthVariables,
  auth,
  dependencyDown,
  errorResponse,
  jsonContent,
  type OperatorAuthOptions,
  type OperatorVariables,
  operatorAuth,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { GenerationView } from "../generations/status.ts";
import { COLLECTIONS, type Collection, type VectorStore } from "../vectors/index.ts";

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The answer: the caller's tenant and its points in each collection. */
const statsResult = (collections: readonly Collection[]) =>
  v.object({
    tenantId: v.string(),
    points: v.object(Object.fromEntries(collections.map((name) => [name, Count]))),
    /** The vector generations: the current one, one being built (with progress), the kept one. */
    generations: v.optional(v.array(GenerationView)),
  });

/** Whose generations `/stats` shows: a tenant's own counts, or (none) the whole platform's. */
export interface GenerationScope {
  tenantId: string;
  /** The tenant's points in the serving generation, all collections. */
  points: number;
}

/**
 * `GET /stats`: how many points the caller's tenant has in each collection, and the generations
 * with that tenant's counts only. Lets a tenant (and the end-to-end tests) check that the store
 * holds exactly one point per live entity. `GET /admin/stats`: the generations with the whole
 * platform's counts, for operators.
 */
export function statsRoutes(deps: {
  auth: AuthOptions;
  store: VectorStore;
  /** The collections counted, from the event registry; default `COLLECTIONS`. */
  collections?: readonly Collection[] | undefined;
  /**
   * The live vector generations (generations/status.ts), with one tenant's counts or (no scope)
   * the platform's; absent in tests without them.
   */
  generations?: ((scope?: GenerationScope) => GenerationView[]) | undefined;
  /** Operator credentials of `GET /admin/stats`; unset → it answers 403. */
  operator?: OperatorAuthOptions | undefined;
}) {
  const app = new Hono<{ Variables: AuthVariables & OperatorVariables }>();
  const collections = deps.collections ?? COLLECTIONS;
  app.get(
    "/stats",
    describeRoute({
      tags: ["search"],
      summary: "Points stored for the caller's tenant, per collection",
      responses: {
        200: {
          description: "Points per collection",
          content: jsonContent(statsResult(collections)),
        },
        503: errorResponse("Vector store unavailable"),
      },
    }),
    auth(deps.auth),
    async (c) => {
      const { tenantId } = c.get("auth");
      const points: Record<Collection, number> = {};
      try {
        for (const collection of collections) {
          points[collection] = await deps.store.count(collection, tenantId);
        }
      } catch (error) {
        throw dependencyDown("vector store", error);
      }
      const total = Object.values(points).reduce((sum, n) => sum + n, 0);
      const generations = deps.generations?.({ tenantId, points: total });
      return c.json({ tenantId, points, ...(generations ? { generations } : {}) });
    },
  );
  app.get(
    "/admin/stats",
    describeRoute({
      tags: ["admin"],
      summary: "The vector generations with the whole platform's counts (operators)",
      responses: {
        200: {
          description: "The generations",
          content: jsonContent(v.object({ generations: v.array(GenerationView) })),
        },
      },
    }),
    operatorAuth(deps.operator ?? {}),
    (c) => c.json({ generations: deps.generations?.() ?? [] }),
  );
  return app;
}
