import asyncapi from "@event-mesh/contracts/generated/asyncapi.json" with { type: "json" };
import type { EventSink, RelayStatus } from "@event-mesh/outbox-kit";
import {
  type AuthOptions,
  type AuthVariables,
  auth,
  type Logger,
  type Metrics,
  mountAsyncApi,
  mountDocs,
  mountHealth,
  onError,
  onNoRoute,
  type RequestVariables,
  requestLogger,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import type { UserStore } from "./store/index.ts";
import { usersRoutes } from "./users/routes.ts";

/** Everything the HTTP app needs; main.ts builds the real ones, tests their own. */
export interface AppDeps {
  store: UserStore;
  /** Probed by /readyz. */
  sink: Pick<EventSink, "name" | "probe">;
  logger: Logger;
  metrics: Metrics;
  auth: AuthOptions;
  /** The relay, when one runs: /readyz fails while it is failing. */
  relay?: { status(): RelayStatus } | undefined;
  /** /readyz fails when the oldest outbox row is older than this; default 60000 ms. */
  outboxMaxAgeMs?: number | undefined;
  /** Time each readiness probe gets; default 2000 ms. */
  probeTimeoutMs?: number | undefined;
}

/** The user-service HTTP app, without a server. */
export function createApp(deps: AppDeps) {
  const app = new Hono<{ Variables: AuthVariables & RequestVariables }>();
  app.onError(onError(deps.logger));
  app.notFound(onNoRoute(app));
  app.use(requestLogger(deps.logger));
  app.use(deps.metrics.middleware);

  mountHealth(app, {
    timeoutMs: deps.probeTimeoutMs,
    logger: deps.logger,
    probes: {
      store: () => deps.store.probeWrite(),
      sink: (signal) => deps.sink.probe(signal),
      relay: () => relayProbe(deps),
    },
  });
  app.get("/metrics", deps.metrics.handler);

  const authenticate = auth(deps.auth);
  app.use("/users", authenticate);
  app.use("/users/*", authenticate);
  app.route("/", usersRoutes(deps.store));
  // The whole mesh's contract, the same document as the gateway's: its operations say which
  // service sends and which receives each topic (user-service sends user.events).
  mountAsyncApi(app, { title: "user-service", document: asyncapi });

  return mountDocs(app, {
    title: "user-service",
    version: "0.1.0",
    description:
      "Owns the users of every tenant. Each change is stored with its event (user.created, user.updated, user.deleted) in one transaction and relayed to Kafka or the ai-gateway.",
  });
}

/**
 * The relay is ready when it is not failing and the outbox is not stuck: a relay that cannot
 * read or remove rows, or rows older than the bound, mean events are not reaching consumers.
 */
async function relayProbe(deps: AppDeps): Promise<void> {
  const status = deps.relay?.status();
  if (status?.failing) throw new Error(`relay failing: ${status.error ?? "unknown error"}`);
  const { oldestAt } = await deps.store.outbox.depth();
  const maxAgeMs = deps.outboxMaxAgeMs ?? 60_000;
  if (oldestAt !== undefined && Date.now() - oldestAt > maxAgeMs) {
    const seconds = Math.round((Date.now() - oldestAt) / 1000);
    throw new Error(`oldest outbox event is ${seconds} s old (bound ${maxAgeMs / 1000} s)`);
  }
}
