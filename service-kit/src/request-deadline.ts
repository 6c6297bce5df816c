import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { timeout } from "hono/timeout";

/**
 * Bun closes a connection that sent nothing for `idleTimeout` seconds (default 10), also while
 * the handler is still working: the client then gets an empty reply. The socket is kept open
 * this much longer than a route's deadline, so the deadline's 504 always reaches the client.
 */
export const IDLE_MARGIN_MS = 5_000;

/** Bun's largest `idleTimeout`, seconds. */
const BUN_MAX_IDLE_SECONDS = 255;

/** The longest deadline Bun can keep a socket open for, margin included. */
export const MAX_DEADLINE_MS = BUN_MAX_IDLE_SECONDS * 1000 - IDLE_MARGIN_MS;

/** `idleTimeout` (seconds) for a server whose longest route deadline is `deadlineMs`. */
export function idleTimeoutFor(deadlineMs: number): number {
  const seconds = Math.ceil((Math.min(deadlineMs, MAX_DEADLINE_MS) + IDLE_MARGIN_MS) / 1000);
  return Math.max(10, Math.min(BUN_MAX_IDLE_SECONDS, seconds));
}

/** What Bun passes as `c.env`: its server, which can extend one request's idle timeout. */
interface BunServerLike {
  timeout(request: Request, seconds: number): void;
}

const isBunServer = (env: unknown): env is BunServerLike =>
  typeof env === "object" && env !== null && typeof Reflect.get(env, "timeout") === "function";

/**
 * Bounds a route: past `ms` the client gets a 504 problem document (`timeout`) instead of
 * waiting or seeing its connection closed; the work itself goes on (its own timeouts end it).
 * Under Bun, the request's socket is kept open for the deadline plus a margin, so a deadline
 * longer than the server's `idleTimeout` still reaches the client.
 */
export function requestDeadline(ms: number): MiddlewareHandler {
  const bounded = Math.min(ms, MAX_DEADLINE_MS);
  const bound = timeout(
    bounded,
    () => new HTTPException(504, { message: `no answer within ${bounded} ms` }),
  );
  return async function deadline(c, next) {
    if (isBunServer(c.env)) c.env.timeout(c.req.raw, idleTimeoutFor(bounded));
    return bound(c, next);
  };
}
