// The one way this project's clients call an HTTP service (the outbox's HTTP sink, the
// gateway's embedder, reranker and reconcile source): a path under a base URL that keeps the
// base's own path, a bearer token, and a deadline that covers the body too.
import { trimTrailingSlashes } from "./url.ts";

/**
 * `path` under `base`, appended and not resolved: `new URL("/events", "http://proxy/gw/")`
 * would drop the `/gw` a gateway behind a path prefix needs. `path` starts with `/` (and may
 * carry a query); a full URL as `path` is refused, so a caller cannot be sent elsewhere.
 */
export function urlUnder(base: string, path = ""): URL {
  if (path !== "" && !path.startsWith("/")) throw new Error(`not a path: ${path.slice(0, 64)}`);
  return new URL(`${trimTrailingSlashes(base)}${path}`);
}

/** A request's deadline, and the caller's own abort (a shutdown) beside it. */
export interface Deadline {
  /** Aborts after the timeout or with the caller's signal: pass it to fetch and body reads. */
  signal: AbortSignal;
  /** Whether the timeout (not the caller) ended the request. */
  timedOut(): boolean;
}

/** A deadline of `timeoutMs`, also ended by `signal` when given. */
export function deadline(timeoutMs: number, signal?: AbortSignal | undefined): Deadline {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    timedOut: () => timeout.aborted,
  };
}

/** What `callHttp` sends. */
export interface HttpCall {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Bearer token, sent as `authorization`; none when undefined or empty. */
  token?: string | undefined;
  headers?: Record<string, string>;
  body?: string;
  /** Ends the request: `deadline(ms, signal).signal`, or a caller's own deadline. */
  signal?: AbortSignal | undefined;
}

/** One request to `path` under `base` (urlUnder); the answer as fetch gives it. */
export function callHttp(base: string, path: string, call: HttpCall): Promise<Response> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  return fetch(urlUnder(base, path), {
    method: call.method ?? "GET",
    headers,
    ...(call.body === undefined ? {} : { body: call.body }),
    ...(call.signal ? { signal: call.signal } : {}),
  });
}
