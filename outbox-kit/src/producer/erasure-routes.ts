import { TenantId } from "@event-mesh/contracts";
import {
  type AuthVariables,
  documented,
  errorResponse,
  jsonContent,
  type Logger,
  notFound,
  type OperatorAuthOptions,
  type OperatorVariables,
  operatorAuth,
  validate,
} from "@event-mesh/service-kit";
import { Hono, type MiddlewareHandler } from "hono";
import * as v from "valibot";
import { type ErasureRecord, tenantErased } from "../erasure.ts";

/** What a producer's store offers to erase a tenant. */
export interface ErasableStore {
  /**
   * Removes every row of the tenant, its idempotency keys and its outbox rows not yet sent, and
   * writes `tenant.deleted`, in one transaction. Idempotent.
   */
  eraseTenant(tenantId: string, requestedBy: string): Promise<ErasureRecord>;
  /** The tenant's erase record, if it was ever erased. */
  erasure(tenantId: string): Promise<ErasureRecord | undefined>;
  /** True while the tenant is erased and not provisioned again. */
  isErased(tenantId: string): Promise<boolean>;
}

/** An erase record, as `DELETE /admin/tenants/{id}` and `GET /admin/erasures/{tenant}` answer it. */
export const ErasureSchema = v.object({
  /** The erased tenant. */
  tenantId: TenantId,
  /** The operator who asked (`OPERATOR_TOKEN`, or the operator JWT's `sub`). */
  requestedBy: v.string(),
  /** When the erase was asked. */
  requestedAt: v.string(),
  /** When it committed. */
  finishedAt: v.string(),
  /** `done`: a producer erases in one transaction. */
  state: v.literal("done"),
  /** Rows removed per table. */
  counts: v.record(v.string(), v.number()),
  /** When the tenant was provisioned again; null while its writes answer 410. */
  provisionedAt: v.nullable(v.string()),
});

/** OpenAPI of a route, as a pass-through middleware (hono-openapi merges the specs). */
const describeRoute = (spec: Parameters<typeof documented>[1]): MiddlewareHandler =>
  documented(async function described(_c, next) {
    await next();
  }, spec);

const TenantParam = v.object({ id: TenantId });
const ProvisionBody = v.strictObject({ tenantId: TenantId });
const ErasureParam = v.object({ tenant: TenantId });

/** Operator routes: `DELETE /admin/tenants/{id}` and `GET /admin/erasures/{tenant}`. */
export function erasureRoutes(options: {
  store: ErasableStore;
  auth: OperatorAuthOptions;
  logger: Logger;
  /**
   * A producer that does not own tenants (task-service) lifts its 410 with
   * `POST /admin/tenants` `{ "tenantId": … }`; user-service's own provisioning route does it there.
   */
  provision?: ((tenantId: string) => Promise<void>) | undefined;
}) {
  const { store, logger } = options;
  const app = new Hono<{ Variables: OperatorVariables }>();
  const operator = operatorAuth(options.auth);
  app.delete(
    "/admin/tenants/:id",
    operator,
    describeRoute({
      tags: ["admin"],
      summary: "Erase a tenant (operators only)",
      description:
        "Removes the tenant's rows, idempotency keys and outbox rows not yet sent, and writes `tenant.deleted` after them, in one transaction. Idempotent: a repeat removes nothing more and sends the event again. Until the tenant is provisioned again, its writes answer 410 `tenant_erased`.",
      responses: {
        200: { description: "Erased", content: jsonContent(ErasureSchema) },
        400: errorResponse("Not a tenant id"),
      },
    }),
    validate("param", TenantParam),
    async (c) => {
      const { id } = c.req.valid("param");
      const by = c.get("operator");
      const record = await store.eraseTenant(id, by.id);
      // Ids and counts only: an erase log line must not keep what it erased.
      logger.info({ operator: by, tenant: id, counts: record.counts }, "tenant erased");
      return c.json(record);
    },
  );
  app.get(
    "/admin/erasures/:tenant",
    operator,
    describeRoute({
      tags: ["admin"],
      summary: "A tenant's erase record (operators only)",
      description: "Who erased the tenant, when, and how many rows each table lost.",
      responses: {
        200: { description: "The record", content: jsonContent(ErasureSchema) },
        400: errorResponse("Not a tenant id"),
        404: errorResponse("The tenant was never erased"),
      },
    }),
    validate("param", ErasureParam),
    async (c) => {
      const record = await store.erasure(c.req.valid("param").tenant);
      if (!record) throw notFound("this tenant was never erased");
      return c.json(record);
    },
  );
  const provision = options.provision;
  if (provision) {
    app.post(
      "/admin/tenants",
      operator,
      describeRoute({
        tags: ["admin"],
        summary: "Take an erased tenant's writes again (operators only)",
        description:
          "Provisioning lives in user-service; this lifts this service's 410 `tenant_erased` for the tenant. A tenant never erased is left as it is.",
        responses: {
          204: { description: "The tenant's writes are taken" },
          400: errorResponse("Not a tenant id"),
        },
      }),
      validate("json", ProvisionBody),
      async (c) => {
        const { tenantId } = c.req.valid("json");
        await provision(tenantId);
        logger.info({ operator: c.get("operator"), tenant: tenantId }, "tenant provisioned again");
        return c.body(null, 204);
      },
    );
  }
  return app;
}

/** Methods that change data: an erased tenant's are refused. */
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * 410 `tenant_erased` for a write of an erased tenant, after tenant auth. Reads still answer
 * (with nothing), so a client sees the tenant is gone rather than an error on every page.
 */
export function refuseErased(
  store: Pick<ErasableStore, "isErased">,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  const refuseErasedTenant: MiddlewareHandler<{ Variables: AuthVariables }> = async (c, next) => {
    if (WRITES.has(c.req.method)) {
      const { tenantId } = c.get("auth");
      if (await store.isErased(tenantId)) throw tenantErased(tenantId);
    }
    await next();
  };
  return documented(refuseErasedTenant, {
    responses: {
      410: errorResponse(
        "The tenant was erased (`tenant_erased`); an operator must provision it again",
      ),
    },
  });
}
