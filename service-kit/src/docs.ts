import type { Env, Hono } from "hono";
import { openAPIRouteHandler } from "hono-openapi";
import { ERROR_CODES } from "./errors.ts";
import { mountApiReference } from "./reference-pages.ts";

/** What the OpenAPI document says about the service. */
export interface DocsOptions {
  /** API title. */
  title: string;
  /** API version. */
  version: string;
  /** One paragraph on what the service does. */
  description?: string | undefined;
}

/** OpenAPI schema of the JSON error body, `{ error: { code, message, details } }`. */
export const ERROR_BODY_SCHEMA = {
  type: "object" as const,
  required: ["error"],
  properties: {
    error: {
      type: "object" as const,
      required: ["code", "message"],
      properties: {
        code: { type: "string" as const, enum: [...ERROR_CODES] },
        message: { type: "string" as const },
        details: {
          description: "For invalid input: the fields at fault, `[{ path, message }]`.",
        },
      },
    },
  },
};

/** A documented error response for `describeRoute({ responses: { 404: errorResponse("…") } })`. */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ERROR_BODY_SCHEMA } } };
}

/**
 * `/openapi.json`, generated from the routes' `describeRoute` and `validate` schemas, and
 * `/docs`, the Scalar API reference reading it. Mount after every documented route.
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
      },
    },
    security: [{ bearer: [] }],
  };
  app.get(
    "/openapi.json",
    openAPIRouteHandler(app, {
      documentation,
      exclude: ["/openapi.json", "/docs"],
      defaultValidationErrorResponse: errorResponse("Invalid input: the fields at fault"),
    }),
  );
  mountApiReference(app, options.title);
  return app;
}
