import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Stable, machine-readable error codes of the JSON error body. */
export const ERROR_CODES = [
  "invalid_input",
  "invalid_json",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "idempotency_key_reused",
  "service_unavailable",
  "internal",
] as const;

/** One of the error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level problem, named by its dot path (`email`, `items.0.name`). */
export interface FieldIssue {
  /** Dot path of the field; empty for the whole body. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The one error a handler throws to answer with a status and an error body. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    /** HTTP status of the response. */
    readonly status: ContentfulStatusCode,
    /** Stable error code. */
    readonly code: ErrorCode,
    message: string,
    /** Extra, client-safe detail (e.g. field issues). */
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The JSON body of this error. */
  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** 400 naming the fields at fault. */
export const invalidInput = (details: FieldIssue[], message = "invalid input") =>
  new AppError(400, "invalid_input", message, details);
/** 401 with the reason (never the token). */
export const unauthorized = (message: string) => new AppError(401, "unauthorized", message);
/** 404. */
export const notFound = (message = "not found") => new AppError(404, "not_found", message);
/** 409. */
export const conflict = (message: string, details?: unknown) =>
  new AppError(409, "conflict", message, details);
/** 503 when a dependency is down. */
export const unavailable = (message: string) => new AppError(503, "service_unavailable", message);

/** Bad configuration at start-up; the message names every bad variable, one per line. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((line) => `  ${line}`).join("\n")}`);
  }
}

/** The server could not start, e.g. its port is taken. The message says what to do. */
export class StartError extends Error {
  override name = "StartError";
}

/** The minimal logger `onError` needs (pino's shape). */
export interface ErrorLogger {
  error(object: Record<string, unknown>, message: string): void;
}

/** Maps Hono's own exceptions (body limit, malformed JSON in its validator) to our codes. */
function fromHttpException(error: HTTPException): AppError {
  const status = error.status;
  const codes: Partial<Record<number, ErrorCode>> = {
    400: "invalid_json",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    413: "payload_too_large",
    415: "unsupported_media_type",
    503: "service_unavailable",
  };
  return new AppError(status, codes[status] ?? "internal", error.message || "request failed");
}

/** Renders every error as `{ error: { code, message, details } }`; unknown errors are a 500. */
export function onError(logger: ErrorLogger): ErrorHandler {
  return function renderError(error: Error, c: Context) {
    if (error instanceof AppError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException) {
      const app = fromHttpException(error);
      return c.json(app.toBody(), app.status);
    }
    // Unknown: a bug or a dependency failure. Log it whole, tell the client nothing inside.
    logger.error(
      { err: error, method: c.req.method, path: c.req.path, requestId: c.get("requestId") },
      "unhandled error",
    );
    return c.json(new AppError(500, "internal", "internal server error").toBody(), 500);
  };
}

/** 404 with the same JSON body for routes that do not exist. */
export const onNotFound: NotFoundHandler = function routeNotFound(c) {
  const error = notFound(`no route ${c.req.method} ${c.req.path}`);
  return c.json(error.toBody(), 404);
};

/** The message of an error and of the errors inside it (clients wrap ECONNREFUSED & co.). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner: string[] = [];
  if (error instanceof AggregateError || "errors" in error) {
    const nested: unknown = Reflect.get(error, "errors");
    if (Array.isArray(nested)) for (const item of nested) inner.push(describeError(item));
  }
  if (error.cause !== undefined) inner.push(describeError(error.cause));
  const unique = [...new Set(inner)].filter((text) => text !== error.message);
  return unique.length > 0 ? `${error.message} (${unique.join("; ")})` : error.message;
}
