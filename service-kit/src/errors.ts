import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  ERROR_TITLES,
  type ErrorCode,
  PROBLEM_JSON,
  type ProblemDetails,
  problemType,
} from "./problem.ts";
import { isStorageUnavailable } from "./storage-errors.ts";

/** A field-level problem, named by its dot path (`email`, `items.0.name`). */
export interface FieldIssue {
  /** Dot path of the field; empty for the whole body. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/** Seconds a client is told to wait after a 503 (`Retry-After`) when a dependency is down. */
export const RETRY_AFTER_SECONDS = 1;
/**
 * After a storage failure: a full disk or a lock held past the store's busy timeout rarely
 * clears within a second, so clients are asked to wait longer.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

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
    options: {
      /** What went wrong inside: logged, never sent to the client. */
      cause?: unknown;
      /** Sent as `Retry-After`; defaults to RETRY_AFTER_SECONDS on a 503. */
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.retryAfterSeconds =
      options.retryAfterSeconds ?? (status === 503 ? RETRY_AFTER_SECONDS : undefined);
  }

  /** Seconds the client should wait before retrying (`Retry-After`), if any. */
  readonly retryAfterSeconds: number | undefined;

  /** This error as an RFC 9457 problem document about `instance` (the request path). */
  toProblem(instance: string, requestId?: string): ProblemDetails {
    const problem: ProblemDetails = {
      type: problemType(this.code),
      title: ERROR_TITLES[this.code],
      status: this.status,
      detail: this.message,
      instance,
      code: this.code,
    };
    if (this.details !== undefined) problem.details = this.details;
    if (requestId !== undefined) problem.requestId = requestId;
    return problem;
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
/** 503 when a dependency is down; `message` goes to the client as is. */
export const unavailable = (message: string) => new AppError(503, "service_unavailable", message);
/**
 * 503 naming the dependency that failed (`embedder`, `store`); what it said (`cause`) is logged
 * with the request id, never sent: it may name hosts, ports, files or SQL.
 */
export const dependencyDown = (
  dependency: string,
  cause?: unknown,
  retryAfterSeconds = RETRY_AFTER_SECONDS,
) =>
  new AppError(
    503,
    "service_unavailable",
    `${dependency} is unavailable; retry later`,
    { dependency },
    { cause, retryAfterSeconds },
  );

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
  /** Dependency and storage failures (503s); without it they are logged as errors. */
  warn?(object: Record<string, unknown>, message: string): void;
}

/** The request id `requestLogger` gave this request, if it ran. */
export function requestIdOf(c: Context): string | undefined {
  const id: unknown = c.get("requestId");
  return typeof id === "string" ? id : undefined;
}

/**
 * The problem document of `error` in this request: `instance` is the request's path as sent
 * (percent-encoded, without the query, which may hold search terms), `requestId` its id.
 */
export function problemOf(c: Context, error: AppError): ProblemDetails {
  return error.toProblem(new URL(c.req.url).pathname, requestIdOf(c));
}

/** The `application/problem+json` response, with `Retry-After` when the error has one. */
export function renderAppError(c: Context, error: AppError, extra?: Record<string, unknown>) {
  const headers: Record<string, string> = { "Content-Type": PROBLEM_JSON };
  if (error.retryAfterSeconds !== undefined)
    headers["Retry-After"] = String(error.retryAfterSeconds);
  return c.body(JSON.stringify({ ...problemOf(c, error), ...extra }), error.status, headers);
}

/** Maps Hono's own exceptions (body limit, malformed JSON in its validator) to our codes. */
function fromHttpException(error: HTTPException): AppError {
  const status = error.status;
  const codes: Partial<Record<number, ErrorCode>> = {
    400: "invalid_json",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "service_unavailable",
    504: "timeout",
  };
  return new AppError(status, codes[status] ?? "internal", error.message || "request failed");
}

/**
 * Renders every error as an RFC 9457 problem document (`application/problem+json`: `type`,
 * `title`, `status`, `detail`, `instance`, plus `code`, `details`, `requestId`). A storage failure
 * (full disk, I/O error, lock, read-only) is a 503 naming the `store` with `Retry-After`;
 * anything else unknown is a 500. What went wrong inside is logged with the request id only.
 */
export function onError(logger: ErrorLogger): ErrorHandler {
  const warn = (logger.warn ?? logger.error).bind(logger);
  return function renderError(error: Error, c: Context) {
    const where = { method: c.req.method, path: c.req.path, requestId: requestIdOf(c) };
    if (error instanceof AppError) {
      if (error.cause !== undefined)
        warn({ ...where, details: error.details, err: describeError(error.cause) }, error.message);
      return renderAppError(c, error);
    }
    if (error instanceof HTTPException) return renderAppError(c, fromHttpException(error));
    if (isStorageUnavailable(error)) {
      warn({ ...where, err: error }, "storage unavailable");
      return renderAppError(c, dependencyDown("store", undefined, STORAGE_RETRY_AFTER_SECONDS));
    }
    // Unknown: a bug. Log it whole, tell the client nothing inside.
    logger.error({ ...where, err: error }, "unhandled error");
    return renderAppError(c, new AppError(500, "internal", "internal server error"));
  };
}

/** 404 with the same problem document for routes that do not exist. */
export const onNotFound: NotFoundHandler = function routeNotFound(c) {
  return renderAppError(c, notFound(`no route ${c.req.method} ${c.req.path}`));
};

/**
 * The message of an error and of the errors inside it (clients wrap ECONNREFUSED & co.), after
 * the error's own code when it is one of the project's (`embedder_failed: …`), for logs. With
 * `causes: false`, the error's own message only: what a `/readyz` answer may say, since a
 * cause can carry an address.
 */
export function describeError(error: unknown, options: { causes?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  const inner: string[] = [];
  if (options.causes === false) return withCode(error, error.message);
  if (error instanceof AggregateError || "errors" in error) {
    const nested: unknown = Reflect.get(error, "errors");
    if (Array.isArray(nested)) for (const item of nested) inner.push(describeError(item));
  }
  if (error.cause !== undefined) inner.push(describeError(error.cause));
  const unique = [...new Set(inner)].filter((text) => text !== error.message);
  return withCode(
    error,
    unique.length > 0 ? `${error.message} (${unique.join("; ")})` : error.message,
  );
}

/** `text` after the error's code when it is one of the project's (lower case, `_`). */
function withCode(error: Error, text: string): string {
  const code: unknown = Reflect.get(error, "code");
  const own = typeof code === "string" && /^[a-z][a-z_]*$/.test(code) && !text.startsWith(code);
  return own ? `${code}: ${text}` : text;
}
