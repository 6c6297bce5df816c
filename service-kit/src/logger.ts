import { tracingChannel } from "node:diagnostics_channel";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import pino from "pino";
import { TurnBufferedStdout } from "./turn-buffered-stdout.ts";

export { TurnBufferedStdout };

/**
 * Bun 1.4.5's TracingChannel lacks Node's `hasSubscribers` getter. pino checks it before every
 * line (`hasSubscribers === false`) and, finding `undefined`, wraps each line in `traceSync`:
 * about 9 % of user-service's CPU under load. This adds the getter as Node defines it (any of
 * the five channels has a subscriber); it changes nothing where the getter exists.
 */
function addTracingHasSubscribers(): void {
  const prototype: object = Object.getPrototypeOf(tracingChannel("event-mesh:probe"));
  if ("hasSubscribers" in prototype) return;
  Object.defineProperty(prototype, "hasSubscribers", {
    configurable: true,
    get(
      this: Record<
        "start" | "end" | "asyncStart" | "asyncEnd" | "error",
        { hasSubscribers: boolean }
      >,
    ) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      );
    },
  });
}
addTracingHasSubscribers();

/** The JSON logger of a service (pino). */
export type Logger = pino.Logger;

/** Log levels accepted by `createLogger`. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** Hono variables set by `requestLogger()`. */
export type RequestVariables = { requestId: string };

/** Logger options. */
export interface LoggerOptions {
  /** Service name, on every line. */
  name: string;
  /** Minimum level; default `info`. */
  level?: LogLevel | undefined;
  /** Where lines go; default stdout. Tests pass a collecting stream. */
  destination?: pino.DestinationStream | undefined;
}

/**
 * Field names whose values never reach a log line, wherever a caller puts them: tokens,
 * secrets and e-mail addresses are replaced by "[redacted]".
 */
const REDACTED = new Set(["authorization", "token", "secret", "password", "email"]);
const CENSOR = "[redacted]";
/** How deep into nested plain objects and arrays fields are looked for. */
const REDACT_DEPTH = 4;

const isPlain = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Array.isArray(value);
};

/**
 * `fields` with every field named in REDACTED censored, in nested plain objects and arrays
 * too; the very same object (no copy) when nothing is censored.
 *
 * Why not pino's `redact` option: its redactor (@pinojs/redact) re-parses every path string
 * on each line it is given, and with wildcard paths that is every line: about 5 % of
 * user-service's CPU under load, for request lines that never hold such a field. This check is
 * a Set lookup per field, done by pino's `log` and `bindings` formatters, so it covers every
 * line and every child logger's bindings. Error objects (the `err` serializer's input) are
 * left to that serializer.
 */
export function redactFields<T extends Record<string, unknown>>(fields: T, depth = 0): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    let next: unknown = value;
    if (REDACTED.has(key)) next = CENSOR;
    else if (depth < REDACT_DEPTH && isPlain(value)) next = redactFields(value, depth + 1);
    if (next !== value) {
      if (copy === undefined) {
        copy = Array.isArray(fields) ? Object.assign([], fields) : { ...fields };
      }
      copy[key] = next;
    }
  }
  return (copy ?? fields) as T;
}

/** A JSON-lines logger on stdout, one object per line, ISO timestamps. */
export function createLogger(options: LoggerOptions): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? "info",
    // No pid/hostname: the platform adds those; the service name is enough to tell lines apart.
    base: { name: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactFields(bindings),
      log: (fields) => redactFields(fields),
    },
  };
  const logger = pino(config, options.destination ?? new TurnBufferedStdout());
  // pino applies the bindings formatter to the root's bindings only, so children's bindings
  // are censored here (children inherit this method, so grandchildren too).
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactFields(bindings), childOptions);
  } as Logger["child"];
  return logger;
}

/** A usable request id from a client: short and of safe characters, else we make one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The route pattern that answered (`/users/:id`), not the raw path, so that logs and metrics
 * group by route. `unmatched` when no route matched (404).
 */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

/**
 * A path for a log line: at most 200 characters, and a segment holding an e-mail address (a
 * client that put one in a URL) censored like an `email` field.
 */
function loggablePath(path: string): string {
  const censored = path
    .split("/")
    .map((segment) => (segment.includes("@") ? CENSOR : segment))
    .join("/");
  return censored.length > 200 ? `${censored.slice(0, 200)}…` : censored;
}

/**
 * Routes that platforms, scrapers and browsers poll or fetch, not business requests: their
 * lines are debug, so that at the default level the log shows what users did. A probe that
 * fails (a 503 from /readyz) still logs at warn.
 */
export const PROBE_ROUTES: ReadonlySet<string> = new Set([
  "/healthz",
  "/readyz",
  "/metrics",
  "/openapi.json",
  "/docs",
  "/docs/scalar.js",
  "/asyncapi",
  "/asyncapi.json",
  "/asyncapi/asyncapi.js",
  "/asyncapi/asyncapi.css",
]);

/**
 * One log line per request: request id (taken from `X-Request-Id` or made, and echoed),
 * method, route, status and duration; for a request no route matched (404), its path too,
 * since `route` then says only `unmatched`. Never headers, query or bodies, so no token or
 * e-mail. Probes (PROBE_ROUTES) log at debug.
 */
export function requestLogger(logger: Logger): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async function logRequest(c, next) {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", requestId);
    // Set before the response exists, so that it is built with the header: set afterwards,
    // Hono copies the finished response into a new one (about 5 % of a request's CPU).
    c.header("X-Request-Id", requestId);
    await next();
    // A handler that returned its own Response object did not get it.
    if (!c.res.headers.has("x-request-id")) c.header("X-Request-Id", requestId);
    const status = c.res.status;
    const route = routeOf(c);
    const line = {
      requestId,
      method: c.req.method,
      route,
      ...(route === "unmatched" ? { path: loggablePath(c.req.path) } : {}),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    // 503 is a dependency being down (readiness polls it often), 504 a wait that ran out (a
    // search's write not searchable yet, which any client can provoke): warnings, not bugs.
    if (status === 503 || status === 504) logger.warn(line, "request");
    else if (status >= 500) logger.error(line, "request");
    else if (PROBE_ROUTES.has(route)) logger.debug(line, "request");
    else logger.info(line, "request");
  };
}
