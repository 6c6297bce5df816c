import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "./errors.ts";

/** JSON body options. */
export interface JsonBodyOptions {
  /** Largest accepted body in bytes; default 16 KiB. */
  maxBytes?: number | undefined;
}

/** `application/json` or `application/<x>+json`, parameters allowed. */
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Guards a route that takes a JSON body: 413 over the limit, 415 when the content type is not
 * JSON, 400 when the body is not valid JSON. The parsed body is cached, so the validator after
 * it does not read the stream twice.
 */
export function jsonBody(options: JsonBodyOptions = {}): MiddlewareHandler {
  const maxBytes = options.maxBytes ?? 16 * 1024;
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, "payload_too_large", `body is larger than ${maxBytes} bytes`);
    },
  });
  return async function parseJsonBody(c, next) {
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type)) {
      throw new AppError(
        415,
        "unsupported_media_type",
        `content-type must be application/json, not ${type ? type.split(";")[0] : "none"}`,
      );
    }
    return limit(c, async () => {
      try {
        await c.req.json();
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw new AppError(400, "invalid_json", "body is not valid JSON");
      }
      await next();
    });
  };
}
