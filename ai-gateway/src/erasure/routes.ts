import { TenantId } from "@event-mesh/contracts";
import {
  AppError,
  documented,
  errorResponse,
  jsonContent,
  type OperatorAuthOptions,
  type OperatorVariables,
  operatorAuth,
  validate,
} from "@event-mesh/service-kit";
import { Hono, type MiddlewareHandler } from "hono";
import * as v from "valibot";
import type { TenantEraser } from "./eraser.ts";

/** The gateway's erase record, as `GET /admin/erasures/{tenant}` answers it. */
export const GatewayErasureSchema = v.object({
  /** The erased tenant. */
  tenantId: TenantId,
  /** The `tenant.deleted` event that asked (`<source> <event id>`). */
  requestedBy: v.string(),
  /** When this gateway started the erase. */
  requestedAt: v.string(),
  /** When it finished; null while running. */
  finishedAt: v.nullable(v.string()),
  /** `running` until every step is done. */
  state: v.picklist(["running", "done"]),
  /** Removed per store step done. */
  counts: v.record(v.string(), v.number()),
  /** Steps still to run. */
  pending: v.array(v.string()),
  /** When `tenant.created` provisioned the tenant again; null while its writes are dropped. */
  provisionedAt: v.nullable(v.string()),
});

/** `GET /admin/erasures/{tenant}`: this gateway's progress of a tenant's erase (operators). */
export function erasureRoutes(deps: {
  eraser: TenantEraser;
  auth: OperatorAuthOptions;
  /** Replicas share the vector store (Qdrant): the one that read `tenant.deleted` erases. */
  sharedStore?: boolean | undefined;
}) {
  const app = new Hono<{ Variables: OperatorVariables }>();
  const passThrough: MiddlewareHandler = async (_c, next) => {
    await next();
  };
  const describe = documented(passThrough, {
    tags: ["admin"],
    summary: "A tenant's erase on this gateway (operators only)",
    description:
      "Who asked, when, what each store lost (vectors of every collection and generation, cache entries, dead letters, waiting searches, usage and the tenant record) and the steps still to run. Each replica answers for its own stores.",
    responses: {
      200: { description: "The record", content: jsonContent(GatewayErasureSchema) },
      400: errorResponse("Not a tenant id"),
      404: errorResponse("This gateway never erased the tenant"),
    },
  });
  app.get(
    "/admin/erasures/:tenant",
    operatorAuth(deps.auth),
    describe,
    validate("param", v.object({ tenant: TenantId })),
    (c) => {
      const record = deps.eraser.status(c.req.valid("param").tenant);
      // With a shared store another replica may hold the record: say so, for `bun run erase`.
      if (!record)
        throw new AppError(404, "not_found", "this gateway never erased the tenant", {
          sharedStore: deps.sharedStore ?? false,
        });
      return c.json(record);
    },
  );
  return app;
}
