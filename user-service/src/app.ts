import { createProducerApp, type ProducerAppDeps } from "@event-mesh/outbox-kit";
import { adminRoutes } from "./admin/routes.ts";
import type { UserStore } from "./store/index.ts";
import { usersRoutes } from "./users/routes.ts";

/** Everything the HTTP app needs; main.ts builds the real ones, tests their own. */
export interface AppDeps extends ProducerAppDeps<UserStore> {
  /** The operator credential of `POST /admin/tenants`; unset → that route answers 403. */
  operatorToken?: string | undefined;
}

/** The user-service HTTP app, without a server. */
export function createApp(deps: AppDeps) {
  return createProducerApp(deps, {
    title: "user-service",
    description:
      "Owns the users of every tenant. Each change is stored with its event (user.created, user.updated, user.deleted) in one transaction and relayed to Kafka or the ai-gateway. Operators provision tenants (tenant.created).",
    authenticated: ["/users"],
    routes: [usersRoutes(deps.store), adminRoutes(deps.store, deps.operatorToken)],
  });
}
