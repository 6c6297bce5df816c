import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type * as v from "valibot";
import { documented, errorResponse } from "./docs.ts";
import { AppError } from "./errors.ts";
import { bodyLimitFor } from "./json-worst-case.ts";

/** JSON body options. */
export interface JsonBodyOptions {
  /** Largest accepted body in bytes; default 16 KiB, or what `schema` needs. */
  maxBytes?: number | undefined;
  /**
   * The body's schema: the limit becomes its longest valid body with every character escaped
   * (`\uXXXX`, as Python's `json.dumps` sends non-ASCII), so no schema-valid body is a 413.
   */
  schema?: v.GenericSchema | undefined;
}

const DEFAULT_MAX_BYTES = 16 * 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `application/json` or `application/<x>+json`, parameters allowed. */
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Guards a route that takes a JSON body: 413 over the limit, 415 when the content type is not
 * JSON, 400 `invalid_utf8` when its bytes are not UTF-8, 400 `invalid_json` when it is not JSON.
 * The body's text is cached, so the validator after it does not read the stream twice.
 */
export function jsonBody(options: JsonBodyOptions = {}): MiddlewareHandler {
  const maxBytes =
    options.maxBytes ??
    (options.schema ? bodyLimitFor(options.schema, DEFAULT_MAX_BYTES) : DEFAULT_MAX_BYTES);
  const tooLarge = () =>
    new AppError(413, "payload_too_large", `body is larger than ${maxBytes} bytes`);
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  const parseJsonBody: MiddlewareHandler = async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type)) {
      throw new AppError(
        415,
        "unsupported_media_type",
        `content-type must be application/json, not ${type ? type.split(";")[0] : "none"}`,
      );
    }
    const parse = async () => {
      // Decoded here, strictly: `Request.text()` (and so `c.req.json()`) turns invalid bytes
      // into U+FFFD, which would then be stored as if the client had sent it.
      let text: string;
      try {
        text = strictUtf8.decode(await c.req.arrayBuffer());
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        throw new AppError(400, "invalid_utf8", "body is not valid UTF-8");
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw new AppError(400, "invalid_json", "body is not valid JSON");
      }
      // The validator after this reads `c.req.json()`, which parses the cached text: hand it
      // the checked text rather than have it decode the bytes again. Hono caches promises
      // there (its type says plain values).
      Object.assign(c.req.bodyCache, { text: Promise.resolve(text) });
      // And the parsed value to `c.req.json()`: Hono's parses the text again on each call
      // (a second JSON.parse of every body, about 1 % of a create under load).
      c.req.json = () => Promise.resolve(parsed as never);
      await next();
    };
    // With a Content-Length (and no Transfer-Encoding, which would win over it), the size is
    // known: checked here without touching `request.body`, which on Bun turns the body into a
    // ReadableStream that the JSON parse then has to read back (bodyLimit touches it first).
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (Number.parseInt(length, 10) > maxBytes) throw tooLarge();
      return parse();
    }
    return limit(c, parse);
  };
  return documented(parseJsonBody, {
    responses: {
      400: errorResponse("Invalid input: malformed JSON, or the fields at fault"),
      413: errorResponse(`Body larger than ${maxBytes} bytes`),
      415: errorResponse("Body is not application/json"),
    },
  });
}
