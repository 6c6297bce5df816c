import asyncapi from "@event-mesh/contracts/generated/asyncapi.json" with { type: "json" };
import type {
  AuthOptions,
  AuthVariables,
  Logger,
  MeshTokenVariables,
  Metrics,
  RequestVariables,
} from "@event-mesh/service-kit";
import * as kit from "@event-mesh/service-kit";
import { Hono } from "hono";
import type { Outbox } from "../outbox.ts";
import type { RelayStatus } from "../relay.ts";
import type { EventSink } from "../sink/index.ts";
import { refuseErased } from "./erasure-routes.ts";

/**
 * The Hono environment of a producer's routes: the caller's identity, the request id, and the
 * keys write answers sign their X-Mesh-Token with.
 */
export type ProducerEnv = { Variables: AuthVariables & RequestVariables & MeshTokenVariables };

/** What the producer's app asks of its store. */
export interface ProducerStore {
  /** Throws when the store cannot take a write (readiness). */
  probeWrite(): Promise<void>;
  /** True while the tenant is erased (DELETE /admin/tenants): its writes answer 410. */
  isErased(tenantId: string): Promise<boolean>;
  outbox: Outbox;
  close(): void | Promise<void>;
}

/** Everything a producer's HTTP app needs; main.ts builds the real ones, tests their own. */
export interface ProducerAppDeps<S extends ProducerStore = ProducerStore> {
  store: S;
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
  /** METRICS_PORT, METRICS_TOKEN: where `/metrics` is served; default on the app, open. */
  metricsExposure?: kit.MetricsExposure | undefined;
  /** MESH_TOKEN_KEYS: X-Mesh-Token is signed with the first; default the development key. */
  meshTokenKeys?: readonly string[] | undefined;
}

/** What makes one producer's app its own. */
export interface ProducerAppOptions {
  /** Service name: the title of /docs and /asyncapi. */
  title: string;
  /** One paragraph for /docs. */
  description: string;
  /** Resource paths that need a tenant's token (`/users` covers `/users/*` too). */
  authenticated: readonly string[];
  /** The service's routes, mounted at `/`; routes outside `authenticated` bring their own auth. */
  routes: readonly Hono<ProducerEnv>[];
}

/**
 * The longest a producer's route may take, ms. Its own waits are short (a probe, an assignee
 * check: 2 s each); this leaves a slow store room, within the server's idle timeout.
 */
export const PRODUCER_REQUEST_TIMEOUT_MS = 25_000;

/**
 * A producer's HTTP app, without a server: errors, request log, metrics, /healthz and /readyz
 * (store, sink, relay), tenant auth on its resources, its routes, /asyncapi and /docs.
 */
export function createProducerApp(deps: ProducerAppDeps, options: ProducerAppOptions) {
  const app = new Hono<ProducerEnv>();
  app.onError(kit.onError(deps.logger));
  app.notFound(kit.onNoRoute(app));
  app.use(kit.requestLogger(deps.logger));
  app.use(kit.securityHeaders());
  app.use(deps.metrics.middleware);
  // A store or assignee check that hangs ends in a 504 problem, not a closed connection.
  app.use(kit.requestDeadline(PRODUCER_REQUEST_TIMEOUT_MS));

  kit.mountHealth(app, {
    timeoutMs: deps.probeTimeoutMs,
    logger: deps.logger,
    probes: {
      store: () => deps.store.probeWrite(),
      sink: (signal) => deps.sink.probe(signal),
      relay: () => relayProbe(deps),
    },
  });
  kit.mountMetrics(app, deps.metrics, deps.metricsExposure);

  app.use(kit.meshTokenKeys(deps.meshTokenKeys ?? [kit.DEV_MESH_TOKEN_KEY]));
  const authenticate = kit.auth(deps.auth);
  const refuse = refuseErased(deps.store);
  for (const path of options.authenticated) {
    app.use(path, authenticate, refuse);
    app.use(`${path}/*`, authenticate, refuse);
  }
  for (const routes of options.routes) app.route("/", routes);
  // The whole mesh's contract, the same document on every service: its operations say which
  // service sends and which receives each topic.
  kit.mountAsyncApi(app, { title: options.title, document: asyncapi });

  return kit.mountDocs(app, {
    title: options.title,
    version: "0.1.0",
    description: options.description,
  });
}

/**
 * The relay is ready when it is not failing and the outbox is not stuck: a relay that cannot
 * read or remove rows, or rows older than the bound, mean events are not reaching consumers.
 */
async function relayProbe(deps: ProducerAppDeps): Promise<void> {
  const status = deps.relay?.status();
  if (status?.failing) throw new Error(`relay failing: ${status.error ?? "unknown error"}`);
  const { oldestAt } = await deps.store.outbox.depth();
  const maxAgeMs = deps.outboxMaxAgeMs ?? 60_000;
  if (oldestAt !== undefined && Date.now() - oldestAt > maxAgeMs) {
    const seconds = Math.round((Date.now() - oldestAt) / 1000);
    throw new Error(`oldest outbox event is ${seconds} s old (bound ${maxAgeMs / 1000} s)`);
  }
}
