import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Env, Hono } from "hono";
import {
  type DescribeRouteOptions,
  describeRoute,
  generateSpecs,
  resolver,
  uniqueSymbol,
} from "hono-openapi";
import { RESPONSE_SCHEMA_OPTIONS } from "./json-schema.ts";
import { ERROR_CODES, PROBLEM_JSON, PROBLEM_TYPE_BASE } from "./problem.ts";
import { mountApiReference } from "./reference-pages.ts";

/** What the OpenAPI document says about the service. */
export interface DocsOptions {
  /** API title. */
  title: string;
  /** API version. */
  version: string;
  /** One paragraph on what the service does. */
  description?: string | undefined;
  /** Security schemes besides `bearer` (the caller's token), e.g. a service token. */
  securitySchemes?: Record<string, { type: "http"; scheme: "bearer"; description: string }>;
}

/** OpenAPI schema of every error body: an RFC 9457 problem document, with `code` & co. */
export const ERROR_BODY_SCHEMA = {
  type: "object" as const,
  required: ["type", "title", "status", "detail", "instance", "code"],
  properties: {
    type: {
      type: "string" as const,
      format: "uri",
      description: `The problem type, \`${PROBLEM_TYPE_BASE}<code>\`.`,
    },
    title: { type: "string" as const, description: "Short summary, fixed per `code`." },
    status: { type: "integer" as const, minimum: 400, maximum: 599, description: "HTTP status." },
    detail: { type: "string" as const, description: "What went wrong in this request." },
    instance: { type: "string" as const, description: "The request's path as sent (no query)." },
    code: { type: "string" as const, enum: [...ERROR_CODES] },
    details: {
      description:
        "Invalid input: the fields at fault, `[{ path, message }]`; a 503: `{ dependency }`.",
    },
    requestId: {
      type: "string" as const,
      description: "The request's `X-Request-Id`, as in the service's log lines.",
    },
  },
};

/** A documented error response for `describeRoute({ responses: { 404: errorResponse("…") } })`. */
export function errorResponse(description: string) {
  return { description, content: { [PROBLEM_JSON]: { schema: ERROR_BODY_SCHEMA } } };
}

/** A JSON response body documented from the valibot schema of what the route sends. */
export function jsonContent(schema: StandardSchemaV1) {
  return { "application/json": { schema: resolver(schema, RESPONSE_SCHEMA_OPTIONS) } };
}

/**
 * Attaches OpenAPI to a middleware or handler, so that each piece documents what it can answer
 * (the auth middleware its 401 and security, the JSON body guard its 413 and 415) on every
 * route it guards. hono-openapi merges the specs of a route's handlers into one operation.
 */
export function documented<H extends object>(handler: H, spec: DescribeRouteOptions): H {
  return Object.assign(handler, { [uniqueSymbol]: { spec } });
}

type Operation = { security?: Record<string, string[]>[] } & Record<string, unknown>;

/**
 * Operations with no security requirement are public: say so with `security: []` rather than
 * leave it to a default. A requirement added by two middlewares on one path is listed once.
 */
function markSecurity(paths: Record<string, Record<string, Operation | undefined>>) {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (!operation) continue;
      const unique = new Map(
        (operation.security ?? []).map((item) => [JSON.stringify(item), item]),
      );
      operation.security = [...unique.values()];
    }
  }
}

/**
 * `/openapi.json`, generated from the routes' `describeRoute`, `validate` and `documented`
 * specs, and `/docs`, the Scalar API reference reading it. Mount after every documented route.
 */
export function mountDocs<E extends Env>(app: Hono<E>, options: DocsOptions): Hono<E> {
  const documentation = {
    info: {
      title: options.title,
      version: options.version,
      description: options.description ?? options.title,
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http" as const,
          scheme: "bearer",
          description: "`tenant:user` in AUTH_MODE=dev, a JWT in AUTH_MODE=jwt.",
        },
        operator: {
          type: "http" as const,
          scheme: "bearer",
          description:
            "OPERATOR_TOKEN, or in AUTH_MODE=jwt a JWT with `role: operator` (/admin/* only).",
        },
        ...options.securitySchemes,
      },
    },
  };
  const publicPage = (summary: string, type: string) =>
    describeRoute({
      tags: ["docs"],
      summary,
      responses: { 200: { description: summary, content: { [type]: { schema: {} } } } },
    });
  let spec: Awaited<ReturnType<typeof generateSpecs>> | undefined;
  app.get(
    "/openapi.json",
    publicPage("This OpenAPI 3.1 document", "application/json"),
    async (c) => {
      if (!spec) {
        spec = await generateSpecs(app, {
          documentation,
          excludeStaticFile: false,
          defaultValidationErrorResponse: errorResponse("Invalid input: the fields at fault"),
        });
        markSecurity(spec.paths as Parameters<typeof markSecurity>[0]);
      }
      return c.json(spec);
    },
  );
  mountApiReference(
    app,
    options.title,
    publicPage("API reference page (Scalar) reading /openapi.json", "text/html"),
  );
  return app;
}
