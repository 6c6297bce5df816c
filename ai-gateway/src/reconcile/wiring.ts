import type { Registry } from "@event-mesh/contracts";
import { type Logger, type OperatorEnv, operatorOptions } from "@event-mesh/service-kit";
import type { Gauge } from "prom-client";
import type { VectorStore } from "../vectors/index.ts";
import { reconcileTargets } from "./plan.ts";
import { Reconciler } from "./reconciler.ts";
import { reconcileRoutes } from "./routes.ts";
import { scheduleReconcile } from "./schedule.ts";
import { SourceClient } from "./source-client.ts";

/** The reconcile variables, as config.ts parses them. */
export interface ReconcileConfig extends OperatorEnv {
  RECONCILE_SOURCES: Record<string, string>;
  RECONCILE_MAX_ENTITIES: number;
  RECONCILE_INTERVAL_MS: number;
}

/** The reconciler, its operator route and its schedule, from configuration. */
export function startReconcile(
  config: ReconcileConfig,
  deps: {
    store: VectorStore;
    drift: Gauge<"kind" | "collection">;
    logger: Logger;
    registry?: Registry;
  },
) {
  // The gateway calls the sources with the mesh's operator token.
  const sources = new Map(
    Object.entries(config.RECONCILE_SOURCES).map(([name, url]) => [
      name,
      new SourceClient(name, url, config.OPERATOR_TOKEN),
    ]),
  );
  const reconciler = new Reconciler({
    store: deps.store,
    targets: reconcileTargets(deps.registry),
    sources,
    maxEntities: config.RECONCILE_MAX_ENTITIES,
    drift: deps.drift,
    logger: deps.logger,
  });
  const schedule = scheduleReconcile(reconciler, config.RECONCILE_INTERVAL_MS, deps.logger);
  const routes = reconcileRoutes({
    reconciler,
    auth: operatorOptions(config),
    logger: deps.logger,
  });
  return { reconciler, routes, stop: () => schedule.stop() };
}
