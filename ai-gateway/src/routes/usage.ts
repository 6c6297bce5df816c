import { type AuthOptions, type AuthVariables, auth } from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { UsageMeter } from "../usage/index.ts";

/** `GET /usage`: the caller tenant's metered totals. */
export function usageRoutes(deps: { auth: AuthOptions; usage: UsageMeter }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get(
    "/usage",
    describeRoute({
      tags: ["usage"],
      summary: "The caller tenant's usage totals",
      responses: {
        200: { description: "`{ tenantId, usage: { embeddings, searches } }`" },
      },
    }),
    auth(deps.auth),
    async (c) => {
      const { tenantId } = c.get("auth");
      return c.json({ tenantId, usage: await deps.usage.totals(tenantId) });
    },
  );
  return app;
}
