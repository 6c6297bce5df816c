import * as v from "valibot";
import { loadConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { ERROR_CODES, ERROR_TITLES, PROBLEM_JSON, problemType } from "./problem.ts";

const ProblemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  instance: v.string(),
  code: v.picklist(ERROR_CODES),
  details: v.optional(v.unknown()),
  requestId: v.optional(v.string()),
});

/** What tests assert of an error: its code, its message (the problem's `detail`), its details. */
export interface ReadError {
  /** The problem's `code`. */
  code: string;
  /** The problem's `detail`. */
  message: string;
  /** The problem's `details`, when it has them. */
  details?: unknown;
}

/**
 * Test helper: the `{ code, message, details }` of an error response, after checking that it is
 * an RFC 9457 problem document: `application/problem+json`, the code's `type` URI and title,
 * `status` equal to the response's, `instance` the request path (`/…`), and `requestId`, when
 * there is one, equal to the response's `X-Request-Id`. Throws on any mismatch.
 */
export async function readError(response: Response): Promise<ReadError> {
  const type = response.headers.get("content-type");
  if (type !== PROBLEM_JSON) throw new Error(`error content-type is ${type}, not ${PROBLEM_JSON}`);
  const problem = v.parse(ProblemSchema, await response.json());
  const expected = { type: problemType(problem.code), title: ERROR_TITLES[problem.code] };
  for (const [key, value] of Object.entries(expected))
    if (Reflect.get(problem, key) !== value) throw new Error(`problem ${key} is not ${value}`);
  if (problem.status !== response.status)
    throw new Error(`problem status ${problem.status} is not the response's ${response.status}`);
  if (!problem.instance.startsWith("/"))
    throw new Error(`problem instance ${problem.instance} is not a path`);
  const header = response.headers.get("x-request-id");
  if (problem.requestId !== undefined && problem.requestId !== header)
    throw new Error(`problem requestId ${problem.requestId} is not the X-Request-Id ${header}`);
  const error: ReadError = { code: problem.code, message: problem.detail };
  if (problem.details !== undefined) error.details = problem.details;
  return error;
}

/**
 * Test helper: the 503 problem document clients get while a dependency is down or not ready,
 * with `detail` at `instance`, plus `extra` members (`details`, `requestId`, `checks`).
 */
export function unavailableProblem(
  detail: string,
  instance: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "https://event-mesh.dev/problems/service_unavailable",
    title: "Service unavailable",
    status: 503,
    detail,
    instance,
    code: "service_unavailable",
    ...extra,
  };
}

const SpecSchema = v.object({
  paths: v.record(
    v.string(),
    v.record(
      v.string(),
      v.object({
        responses: v.record(
          v.string(),
          v.object({ content: v.optional(v.record(v.string(), v.unknown())) }),
        ),
      }),
    ),
  ),
});

/**
 * Test helper: every 4xx/5xx response an OpenAPI document lists, as `GET /path 404`, each with
 * the media types it documents, so a test can assert that all are `application/problem+json`.
 */
export function documentedErrors(spec: unknown): { response: string; types: string[] }[] {
  const { paths } = v.parse(SpecSchema, spec);
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({
          response: `${method.toUpperCase()} ${path} ${status}`,
          types: Object.keys(response.content ?? {}),
        })),
    ),
  );
}

/** What `requester`'s send takes besides method and path. */
export interface SendOptions {
  /** The whole Authorization header value. */
  auth?: string;
  /** JSON-encoded unless a string; sets `content-type: application/json` unless given. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Test helper: a `send(method, path, options)` that calls an app without a server. */
export function requester(app: {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}) {
  return function send(method: string, path: string, options: SendOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== undefined) headers.authorization = options.auth;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    return Promise.resolve(
      app.request(path, { method, headers, ...(body === undefined ? {} : { body }) }),
    );
  };
}

/** Test helper: the lines `loadConfig(schema, env)` refuses `env` with; none when it loads. */
export function configProblems(
  schema: Parameters<typeof loadConfig>[0],
  env: Record<string, string>,
): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/**
 * Test helper: JSON as Python's `json.dumps` writes it by default (`ensure_ascii`): every
 * non-ASCII UTF-16 unit as `\uXXXX`, so a CJK character costs 6 bytes and an emoji 12.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
