import type { Env, Hono, NotFoundHandler } from "hono";
import { AppError, notFound, renderAppError } from "./errors.ts";

/** Methods a route can be registered for; HEAD is answered by every GET route. */
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * The methods `app` answers on `path`: those with a route (not mere middleware, which is
 * registered for every method), plus HEAD wherever GET is, since Hono answers HEAD with GET.
 * As in OpenAPI, a path that is a route of its own (`/users/create`) is that resource only,
 * not also an instance of a templated one (`/users/:id`).
 */
export function allowedMethods<E extends Env>(app: Hono<E>, path: string): string[] {
  const routes = METHODS.flatMap((method) =>
    app.router
      .match(method, path)[0]
      .map(([[, route]]) => route)
      .filter((route) => route.method === method),
  );
  const exact = routes.filter((route) => route.path === path);
  const chosen = exact.length > 0 ? exact : routes;
  return METHODS.filter((method) => chosen.some((route) => route.method === method)).flatMap(
    (method) => (method === "GET" ? ["GET", "HEAD"] : [method]),
  );
}

/**
 * The handler for requests no route answers: 405 with `Allow` when the path exists for other
 * methods (RFC 9110 §15.5.6 makes `Allow` mandatory there), else 404. Both as problem documents.
 * Reads the routes at request time, so it can be set before they are added.
 */
export function onNoRoute<E extends Env>(app: Hono<E>): NotFoundHandler<E> {
  return function noRoute(c) {
    const allowed = allowedMethods(app, c.req.path);
    const error =
      allowed.length === 0
        ? notFound(`no route ${c.req.method} ${c.req.path}`)
        : new AppError(
            405,
            "method_not_allowed",
            `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(", ")}`,
          );
    if (allowed.length > 0) c.header("Allow", allowed.join(", "));
    return renderAppError(c, error);
  };
}
