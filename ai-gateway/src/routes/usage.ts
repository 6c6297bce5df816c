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
import type { QuotaView } from "../pipeline/embed-step.ts";
import type { UsageMeter } from "../usage/index.ts";

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The answer: the caller's tenant, its totals per metric and today's embeddings quota. */
const UsageResult = v.object({
  tenantId: v.string(),
  usage: v.object({ embeddings: Count, searches: Count }),
  quota: v.object({
    /** TENANT_LIMITS' embeddingsPerDay; null → unlimited. */
    embeddingsPerDay: v.nullable(Count),
    /** Embeddings computed today (UTC); cache hits are not counted. */
    embeddingsToday: Count,
    /** Events dead-lettered today as `embedding_quota_exceeded`. */
    heldToday: Count,
  }),
});

/**
 * `GET /usage`: the caller tenant's metered totals (`embeddings` counts vectors computed, not
 * those the cache answered) and today's embeddings quota.
 */
export function usageRoutes(deps: {
  auth: AuthOptions;
  usage: UsageMeter;
  quota?: QuotaView | undefined;
}) {
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
      const usage = await deps.usage.totals(tenantId);
      const today = deps.quota?.today(tenantId) ?? { computed: 0, held: 0 };
      const quota = {
        embeddingsPerDay: deps.quota?.limitOf(tenantId) ?? null,
        embeddingsToday: today.computed,
        heldToday: today.held,
      };
      return c.json({ tenantId, usage, quota });
    },
  );
  return app;
}
