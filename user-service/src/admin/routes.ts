import { timingSafeEqual } from "node:crypto";
import { Name, TenantId, Timestamp } from "@event-mesh/contracts";
import type { ProducerEnv } from "@event-mesh/outbox-kit";
import {
  AppError,
  bearerToken,
  conflict,
  errorResponse,
  jsonBody,
  jsonContent,
  unauthorized,
  validate,
} from "@event-mesh/service-kit";
import { Hono, type MiddlewareHandler } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import type { UserStore } from "../store/index.ts";

/** Body of `POST /admin/tenants`. */
export const CreateTenantBody = v.strictObject({ tenantId: TenantId, name: Name });

/** A provisioned tenant. */
export const TenantSchema = v.object({ tenantId: TenantId, name: Name, createdAt: Timestamp });

const sameSecret = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Operator auth: `Authorization: Bearer <OPERATOR_TOKEN>`. No bearer → 401; any other bearer
 * (a tenant's token included) → 403, as is every bearer while OPERATOR_TOKEN is unset.
 */
function operatorAuth(token: string | undefined): MiddlewareHandler<ProducerEnv> {
  return async function operatorAuth(c, next) {
    const presented = bearerToken(c.req.header("authorization"));
    if (presented === undefined) throw unauthorized("missing bearer token");
    if (token === undefined || !sameSecret(presented, token))
      throw new AppError(403, "forbidden", "this route needs the operator credential");
    await next();
  };
}

/** Operator routes: provisioning tenants. Never reachable with a tenant's token. */
export function adminRoutes(
  store: UserStore,
  operatorToken: string | undefined,
): Hono<ProducerEnv> {
  const app = new Hono<ProducerEnv>();
  app.post(
    "/admin/tenants",
    // On the route, not `use("/admin/*")`: a method the path does not have stays a 405.
    operatorAuth(operatorToken),
    describeRoute({
      tags: ["admin"],
      summary: "Provision a tenant (operators only)",
      description:
        "Records the tenant and writes its `tenant.created` event in one transaction. Needs `Authorization: Bearer <OPERATOR_TOKEN>`.",
      responses: {
        201: { description: "Provisioned", content: jsonContent(TenantSchema) },
        401: errorResponse("No bearer token"),
        403: errorResponse("Not the operator credential (a tenant's token is refused)"),
        409: errorResponse("The tenant already exists"),
      },
    }),
    jsonBody(),
    validate("json", CreateTenantBody),
    async (c) => {
      const { tenantId, name } = c.req.valid("json");
      const result = await store.createTenant(tenantId, name);
      if (!result.ok) throw conflict("this tenant already exists");
      return c.json(result.tenant, 201);
    },
  );
  return app;
}
