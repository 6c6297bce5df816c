import { TenantId } from "@event-mesh/contracts";
import {
  conflict,
  type Logger,
  MAX_DEADLINE_MS,
  type OperatorAuthOptions,
  type OperatorVariables,
  operatorAuth,
  requestDeadline,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import * as v from "valibot";
import type { Reconciler } from "./reconciler.ts";

/** `POST /admin/reconcile` body. */
const ReconcileRequest = v.object({
  /** Only this tenant; absent → every tenant the sources list. */
  tenant: v.optional(TenantId),
  /** Repair what is found (republish, purge, delete); absent or false → report only. */
  repair: v.optional(v.boolean(), false),
});

/** The operator endpoint that runs a reconciliation and answers its report. */
export function reconcileRoutes(deps: {
  reconciler: Reconciler;
  auth: OperatorAuthOptions;
  logger: Logger;
}) {
  const app = new Hono<{ Variables: OperatorVariables }>();
  // On the route: a method the path does not have stays a 405.
  app.post(
    "/admin/reconcile",
    // A run over a large tenant takes minutes: the longest deadline the server can keep a
    // socket open for. Past it the client gets a 504; the run goes on and logs its report.
    requestDeadline(MAX_DEADLINE_MS),
    operatorAuth(deps.auth),
    validate("json", ReconcileRequest),
    async (c) => {
      const body = c.req.valid("json");
      const operator = c.get("operator");
      if (deps.reconciler.running) throw conflict("a reconcile run is already in progress");
      deps.logger.info({ operator, ...body }, "reconcile requested");
      const report = await deps.reconciler.run({
        by: operator.via === "jwt" ? `jwt:${operator.id}` : operator.id,
        tenant: body.tenant,
        repair: body.repair,
      });
      return c.json(report);
    },
  );
  return app;
}
