import {
  type AuthOptions,
  type AuthVariables,
  auth,
  errorResponse,
  jsonContent,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import type { UsageMeter } from "../usage/index.ts";

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The answer: the caller's tenant and its totals per metric. */
const UsageResult = v.object({
  tenantId: v.string(),
  usage: v.object({ embeddings: Count, searches: Count }),
});

/** `GET /usage`: the caller tenant's metered totals. */
export function usageRoutes(deps: { auth: AuthOptions; usage: UsageMeter }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get(
    "/usage",
    describeRoute({
      tags: ["usage"],
      summary: "The caller tenant's usage totals",
      responses: {
        200: { description: "Usage totals", content: jsonContent(UsageResult) },
        503: errorResponse("The usage store is unavailable; retry after `Retry-After` seconds"),
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
