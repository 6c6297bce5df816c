import {
  createProducerApp,
  erasureRoutes,
  type ProducerAppDeps,
  type ProducerEnv,
} from "@event-mesh/outbox-kit";
import { type OperatorAuthOptions, snapshotRoutes } from "@event-mesh/service-kit";
import { Hono } from "hono";
import { adminRoutes } from "./admin/routes.ts";
import type { UserStore } from "./store/index.ts";
import { usersRoutes } from "./users/routes.ts";
import { userSnapshotSource } from "./users/snapshot-source.ts";

/** Everything the HTTP app needs; main.ts builds the real ones, tests their own. */
export interface AppDeps extends ProducerAppDeps<UserStore> {
  /** The operator credential of `POST /admin/tenants`; unset → that route answers 403. */
  operatorToken?: string | undefined;
  /** Operator credentials of `/admin/*` (a JWT role too, in jwt mode); default `operatorToken`. */
  operator?: OperatorAuthOptions | undefined;
}

/** The user-service HTTP app, without a server. */
export function createApp(deps: AppDeps) {
  const operator = deps.operator ?? { token: deps.operatorToken };
  // Reconciliation: the ai-gateway reads snapshots and asks for republishes (operator only).
  const snapshot = new Hono<ProducerEnv>().route(
    "/",
    snapshotRoutes({ source: userSnapshotSource(deps.store), auth: operator, logger: deps.logger }),
  );
  const erasure = new Hono<ProducerEnv>().route(
    "/",
    erasureRoutes({ store: deps.store, auth: operator, logger: deps.logger }),
  );
  return createProducerApp(deps, {
    title: "user-service",
    description:
      "Owns the users of every tenant. Each change is stored with its event (user.created, user.updated, user.deleted) in one transaction and relayed to Kafka or the ai-gateway. Operators provision tenants (tenant.created) and erase them (tenant.deleted).",
    authenticated: ["/users"],
    routes: [usersRoutes(deps.store), adminRoutes(deps.store, operator), snapshot, erasure],
  });
}
