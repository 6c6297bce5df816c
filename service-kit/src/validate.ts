import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Env, ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import { type FieldIssue, invalidInput } from "./errors.ts";
import { REQUEST_SCHEMA_OPTIONS } from "./json-schema.ts";

const TYPE = "Invalid type: Expected ";
const RECEIVED = " but received ";

/**
 * valibot's generic messages, made readable for API clients: a strict object's unknown key,
 * a missing key, a wrong type.
 */
function readable(message: string): string {
  if (message.startsWith("Invalid key: Expected never")) return "is not a known field";
  if (message.startsWith("Invalid key: ") && message.endsWith(" but received undefined")) {
    return "is required";
  }
  // String search, not `/^Invalid type: Expected (.+) but received (.+)$/`: the received part
  // quotes the client's value, which may repeat the separator and hold newlines, and that
  // pattern backtracked over it in quadratic time.
  if (message.startsWith(TYPE)) {
    const at = message.indexOf(RECEIVED, TYPE.length + 1);
    if (at !== -1) {
      return `must be ${message.slice(TYPE.length, at)} (got ${message.slice(at + RECEIVED.length)})`;
    }
  }
  return message;
}

/** Standard Schema issues as `{ path, message }`, path dotted (`items.0.name`). */
export function toFieldIssues(issues: readonly StandardSchemaV1.Issue[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? [])
      .map((segment) => String(typeof segment === "object" ? segment.key : segment))
      .join("."),
    message: readable(issue.message),
  }));
}

/** The key under which `validate` keeps its target and schema on the middleware it returns. */
export const ROUTE_SCHEMA = Symbol.for("event-mesh.route-schema");

/** What `validate` keeps on its middleware: lets a test find every route's schema. */
export interface RouteSchema {
  target: keyof ValidationTargets;
  schema: StandardSchemaV1;
}

/**
 * hono-openapi's validator (so the schema lands in /openapi.json) with our error body:
 * 400 `invalid_input` naming each field at fault.
 */
export function validate<
  S extends StandardSchemaV1,
  T extends keyof ValidationTargets,
  E extends Env = Env,
  P extends string = string,
>(target: T, schema: S) {
  const middleware = validator<S, T, E, P>(
    target,
    schema,
    (result) => {
      if (!result.success) {
        throw invalidInput(
          toFieldIssues(result.error),
          `invalid ${target === "json" ? "body" : target}`,
        );
      }
    },
    REQUEST_SCHEMA_OPTIONS,
  );
  const kept: RouteSchema = { target, schema };
  return Object.assign(middleware, { [ROUTE_SCHEMA]: kept });
}

/**
 * Every `validate` schema of an app's routes, sub-apps included (`app.route` wraps their
 * handlers; Hono keeps the original under `__COMPOSED_HANDLER`).
 */
export function routeSchemas(app: {
  routes: readonly { method: string; path: string; handler: unknown }[];
}): ({ method: string; path: string } & RouteSchema)[] {
  const found: ({ method: string; path: string } & RouteSchema)[] = [];
  for (const route of app.routes) {
    let handler: unknown = route.handler;
    while (typeof handler === "function" && "__COMPOSED_HANDLER" in handler) {
      handler = handler.__COMPOSED_HANDLER;
    }
    const kept = typeof handler === "function" ? Reflect.get(handler, ROUTE_SCHEMA) : undefined;
    if (kept) found.push({ method: route.method, path: route.path, ...(kept as RouteSchema) });
  }
  return found;
}
