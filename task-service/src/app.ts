import {
  createProducerApp,
  erasureRoutes,
  type ProducerAppDeps,
  type ProducerEnv,
} from "@event-mesh/outbox-kit";
import { type OperatorAuthOptions, snapshotRoutes } from "@event-mesh/service-kit";
import { Hono } from "hono";
import { type AssigneeCheck, anyAssignee } from "./assignees.ts";
import type { TaskStore } from "./store/index.ts";
import { tasksRoutes } from "./tasks/routes.ts";
import { taskSnapshotSource } from "./tasks/snapshot-source.ts";

/** Everything the HTTP app needs; main.ts builds the real ones, tests their own. */
export interface AppDeps extends ProducerAppDeps<TaskStore> {
  /** How an assignee is checked; default: any user id is accepted. */
  checkAssignee?: AssigneeCheck | undefined;
  /** Operator credentials of `/admin/*` (OPERATOR_TOKEN, a JWT role in jwt mode); unset → 403. */
  operator?: OperatorAuthOptions | undefined;
}

/** The task-service HTTP app, without a server. */
export function createApp(deps: AppDeps) {
  // Reconciliation: the ai-gateway reads snapshots and asks for republishes (operator only).
  const snapshot = new Hono<ProducerEnv>().route(
    "/",
    snapshotRoutes({
      source: taskSnapshotSource(deps.store),
      auth: deps.operator ?? { token: undefined },
      logger: deps.logger,
    }),
  );
  // Erasure: task-service consumes no events, so `bun run erase` calls this beside user-service.
  const erasure = new Hono<ProducerEnv>().route(
    "/",
    erasureRoutes({
      store: deps.store,
      auth: deps.operator ?? { token: undefined },
      logger: deps.logger,
      provision: (tenantId) => deps.store.provisionTenant(tenantId),
    }),
  );
  return createProducerApp(deps, {
    title: "task-service",
    description:
      "Owns the tasks of every tenant. Each change is stored with its event (task.created, task.updated, task.completed, task.deleted) in one transaction and relayed to Kafka or the ai-gateway, which makes tasks searchable. Operators erase a tenant's tasks (DELETE /admin/tenants/{id}).",
    authenticated: ["/tasks"],
    routes: [tasksRoutes(deps.store, deps.checkAssignee ?? anyAssignee), snapshot, erasure],
  });
}
