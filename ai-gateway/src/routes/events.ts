import { createHash, timingSafeEqual } from "node:crypto";
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  type DecodeResult,
  decodeHttp,
} from "@event-mesh/contracts";
import {
  AppError,
  errorResponse,
  invalidInput,
  notFound,
  unauthorized,
  unavailable,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import type { Incoming } from "../pipeline/pipeline.ts";

/** What the ingest route needs. */
export interface IngestDeps {
  /** INGEST_TOKEN; unset → the endpoint answers 404. */
  token: string | undefined;
  maxBytes: number;
  /** Resolves once the items are stored (the batcher's `submit`). */
  ingest: (items: Incoming[]) => Promise<void>;
}

/**
 * `POST /events`: CloudEvents over HTTP (structured, batch, binary). Answers 2xx only once the
 * valid events are stored; invalid ones are dead-lettered and listed by their index.
 */
export function ingestRoutes(deps: IngestDeps) {
  const app = new Hono();
  const expected = deps.token ? digest(deps.token) : null;
  app.post(
    "/events",
    describeRoute({
      tags: ["ingest"],
      summary: "Ingest CloudEvents (structured, batch or binary mode)",
      description:
        "Guarded by `Authorization: Bearer $INGEST_TOKEN`; off (404) when no token is configured.",
      responses: {
        200: {
          description: "`{ accepted, stored, deadLettered: [{ index, id, code, message }] }`",
        },
        400: errorResponse("The body cannot be read as CloudEvents at all"),
        401: errorResponse("Missing or wrong ingest token"),
        404: errorResponse("Ingest is off (no INGEST_TOKEN)"),
        413: errorResponse("Body too large"),
        503: errorResponse("Shutting down; retry"),
      },
    }),
    async function checkToken(c, next) {
      if (!expected) throw notFound("ingest is off: set INGEST_TOKEN to enable POST /events");
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
      if (!match?.[1])
        throw unauthorized("missing ingest token: Authorization: Bearer <INGEST_TOKEN>");
      if (!timingSafeEqual(digest(match[1]), expected)) throw unauthorized("wrong ingest token");
      await next();
    },
    bodyLimit({
      maxSize: deps.maxBytes,
      onError: () => {
        throw new AppError(413, "payload_too_large", `body is larger than ${deps.maxBytes} bytes`);
      },
    }),
    async function ingest(c) {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const decoded = decodeHttp({ headers: c.req.raw.headers, body });
      if (!decoded.ok) {
        throw invalidInput(
          [{ path: "", message: `${decoded.error.error.code}: ${decoded.error.error.message}` }],
          "body is not CloudEvents",
        );
      }
      const raws = rawItems(c.req.raw.headers, body);
      const items: Incoming[] = decoded.results.map((result, i) => ({
        source: "http",
        result,
        raw: raws[i] ?? "",
      }));
      try {
        await deps.ingest(items);
      } catch (error) {
        throw unavailable(
          `not stored, retry: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const deadLettered = decoded.results.flatMap((result, index) =>
        result.ok ? [] : [listed(index, result, raws[index])],
      );
      return c.json({
        accepted: items.length,
        stored: items.length - deadLettered.length,
        deadLettered,
      });
    },
  );
  return app;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/**
 * Each event as sent, for the dead-letter table: batch elements, the structured body, or in
 * binary mode the `ce-*` headers with the body.
 */
function rawItems(headers: Headers, body: Uint8Array): string[] {
  const text = new TextDecoder().decode(body);
  const type = (headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith(CLOUDEVENTS_BATCH_JSON)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map((item) => JSON.stringify(item));
    } catch {
      // decodeHttp already parsed it; unreachable in practice.
    }
    return [];
  }
  if (type.startsWith(CLOUDEVENTS_JSON)) return [text];
  const attributes: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("ce-")) attributes[name] = value;
  });
  return [JSON.stringify({ headers: attributes, body: text })];
}

function listed(index: number, result: DecodeResult & { ok: false }, raw: string | undefined) {
  let id: unknown;
  try {
    const parsed: unknown = raw === undefined ? undefined : JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && "id" in parsed) id = parsed.id;
  } catch {
    id = undefined;
  }
  return {
    index,
    id: typeof id === "string" ? id : null,
    code: result.error.code,
    message: result.error.message,
  };
}
