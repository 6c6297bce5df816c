import { byteLength, parseJson, toText } from "./bytes.ts";
import {
  type AnyMeshEvent,
  buildEvent,
  type DecodeResult,
  fail,
  MAX_EVENT_BYTES,
} from "./envelope.ts";
import { EVENT_REGISTRY, type Registry } from "./registry.ts";

/** An event in the CloudEvents JSON format (structured content mode). */
export interface StructuredCloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: "application/json";
  tenantid: string;
  entityversion: number;
  data: unknown;
}

/** Media types of the CloudEvents HTTP binding. */
export const CLOUDEVENTS_JSON = "application/cloudevents+json";
export const CLOUDEVENTS_BATCH_JSON = "application/cloudevents-batch+json";

/** The event as a CloudEvents JSON object. */
export function toStructured(event: AnyMeshEvent): StructuredCloudEvent {
  return {
    specversion: "1.0",
    id: event.id,
    source: event.source,
    type: event.type,
    time: event.time,
    datacontenttype: "application/json",
    tenantid: event.tenantId,
    entityversion: event.version,
    data: event.data,
  };
}

/** A version attribute as a number, or the raw value so that validation names it. */
export function parseVersion(value: unknown): unknown {
  return typeof value === "string" && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : value;
}

/** Reads one CloudEvents JSON object of a type in `registry`. Never throws. */
export function fromStructured(input: unknown, registry: Registry = EVENT_REGISTRY): DecodeResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail("invalid_json", "event: must be a JSON object");
  }
  const { data, data_base64, datacontenttype, ...attributes } = input as Record<string, unknown>;
  if (data_base64 !== undefined) {
    return fail("unsupported_content_type", "data_base64: binary data is not supported");
  }
  if (typeof datacontenttype === "string" && !datacontenttype.startsWith("application/json")) {
    return fail("unsupported_content_type", `datacontenttype: ${datacontenttype} is not JSON`);
  }
  return buildEvent(
    { ...attributes, entityversion: parseVersion(attributes.entityversion) },
    data,
    registry,
  );
}

/** An HTTP request body of the CloudEvents HTTP binding. */
export interface HttpMessage {
  /** The request's headers (`ce-*` in binary mode). */
  headers: Headers | Record<string, string | undefined>;
  /** The raw body. */
  body: string | Uint8Array;
}

/** What `decodeHttp` read from a request it could read. */
export interface HttpDecoded {
  ok: true;
  /** One result per event, in the order sent. */
  results: DecodeResult[];
  /**
   * Each event as sent, for a dead letter: a batch element as JSON, the structured body, or in
   * binary mode the `ce-*` headers with the body.
   */
  raws: string[];
}

/** A body that cannot be read at all; `events` is set when a batch held more than `maxEvents`. */
export interface HttpUnreadable {
  ok: false;
  error: DecodeResult & { ok: false };
  events?: number;
}

/**
 * The events of an HTTP request: structured (`application/cloudevents+json`), batch
 * (`application/cloudevents-batch+json`, one result per element) or binary (`ce-*` headers).
 * A body that cannot be read at all, or a batch of more than `maxEvents` (refused before any
 * element is decoded), is one error; otherwise one result per event. Never throws.
 */
export function decodeHttp(
  message: HttpMessage,
  registry: Registry = EVENT_REGISTRY,
  maxEvents = Number.POSITIVE_INFINITY,
): HttpDecoded | HttpUnreadable {
  const headers =
    message.headers instanceof Headers
      ? message.headers
      : new Headers(
          Object.entries(message.headers).filter((entry): entry is [string, string] => !!entry[1]),
        );
  const contentType = (headers.get("content-type") ?? "").toLowerCase();
  const text = toText(message.body);
  const whole = (code: Parameters<typeof fail>[0], text: string) => ({
    ok: false as const,
    error: fail(code, text) as DecodeResult & { ok: false },
  });
  if (text === null) return whole("invalid_utf8", "body: not valid UTF-8");
  const json = parseJson(text);
  if (!json.ok) return whole("invalid_json", `body: ${json.message}`);

  if (contentType.startsWith(CLOUDEVENTS_BATCH_JSON)) {
    if (!Array.isArray(json.value)) return whole("invalid_json", "body: a batch must be an array");
    const items = json.value;
    if (items.length > maxEvents) {
      const tooMany = whole("too_large", `body: ${items.length} events, more than ${maxEvents}`);
      return { ...tooMany, events: items.length };
    }
    // Each element is serialized once: its size is checked on it, and it is its dead letter.
    const raws = items.map((item) => JSON.stringify(item) ?? "");
    const results = items.map((item, i) =>
      checkedSize(raws[i] ?? "", () => fromStructured(item, registry)),
    );
    return { ok: true, results, raws };
  }
  if (contentType.startsWith(CLOUDEVENTS_JSON)) {
    const raw = JSON.stringify(json.value) ?? "";
    return {
      ok: true,
      results: [checkedSize(raw, () => fromStructured(json.value, registry))],
      raws: [text],
    };
  }
  if (!headers.has("ce-type")) {
    return whole(
      "unsupported_content_type",
      `content-type: ${contentType || "none"} without ce-* headers`,
    );
  }
  if (byteLength(message.body) > MAX_EVENT_BYTES) {
    return whole("too_large", `body: more than ${MAX_EVENT_BYTES} bytes`);
  }
  // fromEntries defines own keys: a `ce-__proto__` header stays a (refused) attribute and is
  // kept in the dead letter too.
  const ce = Object.fromEntries([...headers].filter(([name]) => name.startsWith("ce-")));
  const raws = [JSON.stringify({ headers: ce, body: text })];
  const attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries(ce).map(([name, value]) => [name.slice(3), value]),
  );
  attributes.entityversion = parseVersion(attributes.entityversion);
  return { ok: true, results: [guarded(() => buildEvent(attributes, json.value, registry))], raws };
}

/** Refuses an event whose JSON (`raw`) is over MAX_EVENT_BYTES; reads it otherwise. */
function checkedSize(raw: string, read: () => DecodeResult): DecodeResult {
  const size = byteLength(raw);
  if (size > MAX_EVENT_BYTES)
    return fail("too_large", `event: ${size} bytes, more than ${MAX_EVENT_BYTES}`);
  return guarded(read);
}

/** Defensive, as `decode` is for Kafka: a bug on one event must not fail its whole batch. */
function guarded(read: () => DecodeResult): DecodeResult {
  try {
    return read();
  } catch (error) {
    return fail("invalid_attributes", `undecodable event: ${String(error)}`);
  }
}

/** Encodes events as one CloudEvents batch request (`application/cloudevents-batch+json`). */
export function encodeHttpBatch(events: readonly AnyMeshEvent[]): {
  contentType: string;
  body: string;
} {
  return { contentType: CLOUDEVENTS_BATCH_JSON, body: JSON.stringify(events.map(toStructured)) };
}
