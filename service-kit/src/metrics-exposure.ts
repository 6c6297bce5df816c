import { timingSafeEqual } from "node:crypto";
import { type Env, Hono, type MiddlewareHandler } from "hono";
import { bearerChallenge, bearerToken } from "./auth.ts";
import { documented, errorResponse } from "./docs.ts";
import { onError, StartError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";

/**
 * Where `/metrics` is served (METRICS_PORT, METRICS_TOKEN). Its counters are not a tenant's to
 * read (cache hits, per-route traffic), so it can be moved to an internal listener, put behind
 * a token, or both.
 */
export interface MetricsExposure {
  /** METRICS_TOKEN: `/metrics` then needs `Authorization: Bearer <token>` (401 otherwise). */
  token?: string | undefined;
  /** METRICS_PORT: `/metrics` is served there only, not on the service's own port. */
  port?: number | undefined;
}

/** A 401 unless the request carries the bearer token (compared in constant time). */
export function metricsToken(token: string): MiddlewareHandler {
  const expected = Buffer.from(token);
  const metricsOnly: MiddlewareHandler = async (c, next) => {
    const given = bearerToken(c.req.header("authorization"));
    if (!given) throw bearerChallenge(c, "/metrics needs 'Bearer <METRICS_TOKEN>'", false);
    const bytes = Buffer.from(given);
    if (bytes.length !== expected.length || !timingSafeEqual(bytes, expected))
      throw bearerChallenge(c, "not the METRICS_TOKEN", true);
    await next();
  };
  return documented(metricsOnly, {
    responses: { 401: errorResponse("METRICS_TOKEN is set and was not sent") },
  });
}

/**
 * `GET /metrics` on the service's app, behind the token when one is set; nothing when a port of
 * its own serves it (then `/metrics` is a 404 on the service's port).
 */
export function mountMetrics<E extends Env>(
  app: Hono<E>,
  metrics: Metrics,
  exposure: MetricsExposure = {},
): void {
  if (exposure.port !== undefined) return;
  if (exposure.token) app.get("/metrics", metricsToken(exposure.token), metrics.handler);
  else app.get("/metrics", metrics.handler);
}

/**
 * The internal listener of METRICS_PORT: `/metrics` and nothing else (behind the token when one
 * is set). Undefined when no port is configured. The caller stops it at shutdown.
 */
export function serveMetrics(options: {
  metrics: Metrics;
  exposure: MetricsExposure;
  hostname: string;
  logger: Logger;
}): { url: string; stop(): void } | undefined {
  const { port, token } = options.exposure;
  if (port === undefined) return undefined;
  const app = new Hono();
  app.onError(onError(options.logger));
  if (token) app.get("/metrics", metricsToken(token), options.metrics.handler);
  else app.get("/metrics", options.metrics.handler);
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ port, hostname: options.hostname, fetch: app.fetch });
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "EADDRINUSE")
      throw new StartError(`port ${port} is already in use; set METRICS_PORT`);
    throw error;
  }
  const url = `http://${options.hostname}:${server.port}`;
  options.logger.info({ url: `${url}/metrics` }, "metrics listening");
  return { url, stop: () => void server.stop(true) };
}
