/**
 * RFC 9457 problem details: the one shape of every error response. Each error code is a problem
 * type with a fixed title; the occurrence's own text is `detail`.
 */
import * as v from "valibot";

/** Media type of every error body (RFC 9457 §3). */
export const PROBLEM_JSON = "application/problem+json";

/**
 * Base of the problem `type` URIs, `https://event-mesh.dev/problems/<code>`. An absolute URI, as
 * RFC 9457 §3.1.1 recommends; it identifies the problem type and is documented in docs/http-api.md, so
 * clients compare it as a string and never fetch it.
 */
export const PROBLEM_TYPE_BASE = "https://event-mesh.dev/problems/";

/** Each stable error code with its `title`: a short summary, the same for every occurrence. */
export const ERROR_TITLES = {
  invalid_input: "Invalid input",
  invalid_json: "Malformed JSON body",
  invalid_utf8: "Body is not valid UTF-8",
  unauthorized: "Missing or invalid credentials",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  idempotency_key_reused: "Idempotency key reused with another body",
  too_many_requests: "Too many requests",
  service_unavailable: "Service unavailable",
  not_searchable_yet: "Write not searchable yet",
  tenant_erased: "Tenant erased",
  timeout: "No answer in time",
  internal: "Internal server error",
} as const;

/** One of the error codes. */
export type ErrorCode = keyof typeof ERROR_TITLES;

/** Stable, machine-readable error codes: the `code` of a problem document. */
export const ERROR_CODES = Object.keys(ERROR_TITLES) as ErrorCode[];

/** The problem `type` URI of an error code. */
export const problemType = (code: ErrorCode) => `${PROBLEM_TYPE_BASE}${code}`;

/** The body of every error response: an RFC 9457 problem document with three extensions. */
export interface ProblemDetails {
  /** `PROBLEM_TYPE_BASE` + `code`. */
  type: string;
  /** The code's fixed title. */
  title: string;
  /** The HTTP status of the response. */
  status: number;
  /** What went wrong in this request, for a human. */
  detail: string;
  /** The request's path (URI reference), as the client sent it. */
  instance: string;
  /** Extension: the stable error code, for programs. */
  code: ErrorCode;
  /** Extension: client-safe detail, e.g. the fields at fault `[{ path, message }]`. */
  details?: unknown;
  /** Extension: the response's `X-Request-Id`: quote it when reporting the error. */
  requestId?: string;
}

const ClientProblemSchema = v.object({
  code: v.string(),
  detail: v.string(),
  requestId: v.optional(v.string()),
});

/**
 * What an error response says, for a client's log line or exception: `<status> <code>: <detail>
 * (request <requestId>)` from a problem document, else the status and the start of the body.
 * Reads the body; never throws.
 */
export async function describeProblem(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  const type = response.headers.get("content-type") ?? "";
  if (type.split(";")[0]?.trim() === PROBLEM_JSON) {
    const parsed = v.safeParse(ClientProblemSchema, safeJson(text));
    if (parsed.success) {
      const { code, detail, requestId } = parsed.output;
      const request = requestId === undefined ? "" : ` (request ${requestId})`;
      return `${response.status} ${code}: ${detail}${request}`;
    }
  }
  return `${response.status} ${text.slice(0, 300)}`.trimEnd();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
