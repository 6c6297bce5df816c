import { Name, TenantId, Timestamp } from "@event-mesh/contracts";
import type { ProducerEnv } from "@event-mesh/outbox-kit";
import {
  conflict,
  errorResponse,
  jsonBody,
  jsonContent,
  type OperatorAuthOptions,
  operatorAuth,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import type { UserStore } from "../store/index.ts";

/** Body of `POST /admin/tenants`. */
export const CreateTenantBody = v.strictObject({ tenantId: TenantId, name: Name });

/** A provisioned tenant. */
export const TenantSchema = v.object({ tenantId: TenantId, name: Name, createdAt: Timestamp });

/** Operator routes: provisioning tenants. Never reachable with a tenant's token. */
export function adminRoutes(store: UserStore, operator: OperatorAuthOptions): Hono<ProducerEnv> {
  const app = new Hono<ProducerEnv>();
  app.post(
    "/admin/tenants",
    // On the route, not `use("/admin/*")`: a method the path does not have stays a 405.
    operatorAuth(operator),
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
    jsonBody({ schema: CreateTenantBody }),
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
