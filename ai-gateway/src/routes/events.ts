import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  type DecodeResult,
  decodeHttp,
  type Registry,
} from "@event-mesh/contracts";
import {
  AppError,
  bearerChallenge,
  bearerToken,
  dependencyDown,
  errorResponse,
  invalidInput,
  jsonContent,
  notFound,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { dependencyOf } from "../errors.ts";
import type { TenantAdmission } from "../limits/admission.ts";
import type { Incoming } from "../pipeline/pipeline.ts";
import {
  checkOwnership,
  type IngestCaller,
  type IngestProducer,
  IngestTokens,
} from "./ingest-tokens.ts";

/** Dead letters listed in an ingest answer; `deadLetteredCount` counts all of them. */
export const LISTED_DEAD_LETTERS = 100;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The answer: how many were taken and stored, and the first dead-lettered ones by index. */
const IngestResult = v.object({
  accepted: Count,
  stored: Count,
  deadLetteredCount: Count,
  deadLettered: v.pipe(
    v.array(
      v.object({ index: Count, id: v.nullable(v.string()), code: v.string(), message: v.string() }),
    ),
    v.maxLength(LISTED_DEAD_LETTERS),
  ),
});

/** What the ingest route needs. */
export interface IngestDeps {
  /** INGEST_TOKEN; unset → the endpoint answers 404. */
  token: string | undefined;
  /** Declared producers with a token set: each may post the event types it owns only. */
  producers?: readonly IngestProducer[] | undefined;
  maxBytes: number;
  /** INGEST_MAX_EVENTS: more events in one request is a 413. */
  maxEvents: number;
  /** Resolves once the items are stored (the batcher's `submit`). */
  ingest: (items: Incoming[]) => Promise<void>;
  /** The event types accepted; default `EVENT_REGISTRY`. */
  registry?: Registry | undefined;
  /** TENANT_LIMITS' eventsPerSecond; unset → no limit. */
  admission?: TenantAdmission | undefined;
}

/**
 * `POST /events`: CloudEvents over HTTP (structured, batch, binary). Answers 2xx only once the
 * valid events are stored; invalid ones are dead-lettered, counted, and the first
 * LISTED_DEAD_LETTERS listed by their index (the answer stays small whatever was sent).
 */
export function ingestRoutes(deps: IngestDeps) {
  const app = new Hono();
  const tokens = new IngestTokens(deps.token, deps.producers);
  const callers = new WeakMap<Request, IngestCaller>();
  app.post(
    "/events",
    describeRoute({
      tags: ["ingest"],
      summary: "Ingest CloudEvents (structured, batch or binary mode)",
      description:
        "Guarded by `Authorization: Bearer $INGEST_TOKEN`, or a declared producer's token (its `tokenEnv` in the entity declarations), which may post only the event types it owns; off (404) when no token is configured.",
      security: [{ ingest: [] }],
      // Any JSON is taken: an event that is not a valid CloudEvent is dead-lettered and listed
      // in the answer, not refused. Binary mode (`ce-*` headers) takes any content type.
      requestBody: {
        required: true,
        content: {
          [CLOUDEVENTS_JSON]: { schema: { description: "One CloudEvent (structured mode)" } },
          [CLOUDEVENTS_BATCH_JSON]: {
            schema: { type: "array", items: {}, description: "CloudEvents (batch mode)" },
          },
        },
      },
      responses: {
        200: {
          description: `Stored; invalid events are dead-lettered, counted, and the first ${LISTED_DEAD_LETTERS} listed`,
          content: jsonContent(IngestResult),
        },
        400: errorResponse("The body cannot be read as CloudEvents at all"),
        401: errorResponse("Missing or wrong ingest token"),
        403: errorResponse("A producer's token, and an event type the producer does not own"),
        404: errorResponse("Ingest is off (no INGEST_TOKEN)"),
        413: errorResponse(
          "Body larger than INGEST_MAX_BYTES or more events than INGEST_MAX_EVENTS",
        ),
        429: errorResponse(
          "A tenant of the request is over its eventsPerSecond (TENANT_LIMITS); nothing was stored; retry after `Retry-After` seconds",
        ),
        503: errorResponse("Shutting down; retry after `Retry-After` seconds"),
      },
    }),
    async function checkToken(c, next) {
      if (!tokens.enabled) throw notFound("ingest is off: set INGEST_TOKEN to enable POST /events");
      const token = bearerToken(c.req.header("authorization"));
      if (!token) {
        throw bearerChallenge(
          c,
          "missing ingest token: Authorization: Bearer <INGEST_TOKEN>",
          false,
        );
      }
      const caller = tokens.match(token);
      if (!caller) throw bearerChallenge(c, "wrong ingest token", true);
      callers.set(c.req.raw, caller);
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
      // A batch over INGEST_MAX_EVENTS is refused after the parse, before any element is
      // decoded: a flood of items costs a parse, not a decode and a dead letter each.
      const decoded = decodeHttp(
        { headers: c.req.raw.headers, body },
        deps.registry,
        deps.maxEvents,
      );
      if (!decoded.ok && decoded.events !== undefined) {
        throw new AppError(
          413,
          "payload_too_large",
          `${decoded.events} events in one request; at most ${deps.maxEvents} (INGEST_MAX_EVENTS)`,
          { limit: deps.maxEvents, events: decoded.events },
        );
      }
      if (!decoded.ok) {
        throw invalidInput(
          [{ path: "", message: `${decoded.error.error.code}: ${decoded.error.error.message}` }],
          "body is not CloudEvents",
        );
      }
      const raws = decoded.raws;
      const caller = callers.get(c.req.raw);
      if (caller)
        checkOwnership(
          caller,
          decoded.results.flatMap((result) => (result.ok ? [result.event.type] : [])),
        );
      const perTenant = new Map<string, number>();
      for (const result of decoded.results)
        if (result.ok)
          perTenant.set(result.event.tenantId, (perTenant.get(result.event.tenantId) ?? 0) + 1);
      deps.admission?.events(perTenant);
      const items: Incoming[] = decoded.results.map((result, i) => ({
        source: "http",
        result,
        raw: raws[i] ?? "",
      }));
      try {
        await deps.ingest(items);
      } catch (error) {
        throw dependencyDown(dependencyOf(error, "ingest pipeline"), error);
      }
      let deadLetteredCount = 0;
      const deadLettered: ReturnType<typeof listed>[] = [];
      decoded.results.forEach((result, index) => {
        if (result.ok) return;
        if (++deadLetteredCount <= LISTED_DEAD_LETTERS)
          deadLettered.push(listed(index, result, raws[index]));
      });
      return c.json({
        accepted: items.length,
        stored: items.length - deadLetteredCount,
        deadLetteredCount,
        deadLettered,
      });
    },
  );
  return app;
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
