import { createHash } from "node:crypto";
import { byteLength, parseJson, toText } from "./bytes.ts";
import { fromStructured, parseVersion, toStructured } from "./cloudevent.ts";
import {
  type AnyMeshEvent,
  buildEvent,
  type DecodeResult,
  fail,
  MAX_EVENT_BYTES,
  type MeshEvent,
} from "./envelope.ts";
import { EVENT_REGISTRY, entityIdOf, type Registry } from "./registry.ts";
import { partitionKey, topicFor } from "./topics.ts";

/** A Kafka record ready to produce, CloudEvents Kafka binding, binary content mode. */
export interface KafkaRecord {
  /** Destination topic, `<entity>.events` (with the prefix given to `encode`). */
  topic: string;
  /** Partition key, `<tenantId>/<entityId>`. */
  key: string;
  /** The event data as JSON, byte for byte what consumers of the original format read. */
  value: string;
  /** CloudEvents attributes as `ce_*` headers, and `content-type`. */
  headers: Record<string, string>;
}

/** A consumed Kafka message, as any client hands it over. */
export interface KafkaMessageInput {
  topic: string;
  key?: string | Uint8Array | null | undefined;
  value: string | Uint8Array | null | undefined;
  headers?:
    | Map<string | Uint8Array, string | Uint8Array | null | undefined>
    | Record<string, string | Uint8Array | null | undefined>
    | null
    | undefined;
  /** The broker's timestamp of the message, used as `time` when no `ce_time` header exists. */
  timestamp?: number | bigint | Date | undefined;
}

/** Options of the codec: a topic prefix lets tests and tenants of a shared cluster isolate topics. */
export interface CodecOptions {
  /** Prepended to every topic name, e.g. `test-42.` → `test-42.user.events`. Default empty. */
  topicPrefix?: string;
  /** The event types known, their topics and schemas. Default `EVENT_REGISTRY`. */
  registry?: Registry;
}

/** Encodes an event as a Kafka record, CloudEvents binary content mode. */
export function encode(event: AnyMeshEvent | MeshEvent, options: CodecOptions = {}): KafkaRecord {
  const registry = options.registry ?? EVENT_REGISTRY;
  return {
    topic: `${options.topicPrefix ?? ""}${topicFor(event.type, registry)}`,
    key: partitionKey(event.tenantId, entityIdOf(event.type, event.data, registry)),
    value: JSON.stringify(event.data),
    headers: {
      ce_specversion: "1.0",
      ce_id: event.id,
      ce_source: event.source,
      ce_type: event.type,
      ce_time: event.time,
      ce_tenantid: event.tenantId,
      ce_entityversion: String(event.version),
      "content-type": "application/json",
    },
  };
}

/** Encodes an event as a Kafka record in structured content mode (the whole event as JSON). */
export function encodeStructured(event: AnyMeshEvent, options: CodecOptions = {}): KafkaRecord {
  const record = encode(event, options);
  return {
    ...record,
    value: JSON.stringify(toStructured(event)),
    headers: { "content-type": "application/cloudevents+json; charset=utf-8" },
  };
}

/**
 * Decodes a consumed Kafka message. Never throws on input: anything malformed comes back as
 * `{ ok: false, error }` naming the problem.
 */
export function decode(message: KafkaMessageInput, options: CodecOptions = {}): DecodeResult {
  try {
    return decodeUnsafe(message, options.topicPrefix ?? "", options.registry ?? EVENT_REGISTRY);
  } catch (error) {
    // Defensive: the decoder's contract is "never throws"; report the surprise as a value.
    return fail("invalid_attributes", `undecodable message: ${String(error)}`);
  }
}

function decodeUnsafe(
  message: KafkaMessageInput,
  prefix: string,
  registry: Registry,
): DecodeResult {
  const raw = message.value;
  if (raw === null || raw === undefined) return fail("invalid_json", "value: empty (tombstone)");
  if (byteLength(raw) > MAX_EVENT_BYTES) {
    return fail("too_large", `value: ${byteLength(raw)} bytes, more than ${MAX_EVENT_BYTES}`);
  }
  const headers = readHeaders(message.headers);
  if (!headers.ok) return headers.result;
  const text = toText(raw);
  if (text === null) return fail("invalid_utf8", "value: not valid UTF-8");
  const json = parseJson(text);
  if (!json.ok) return fail("invalid_json", `value: ${json.message}`);

  const contentType = headers.map.get("content-type") ?? "";
  let result: DecodeResult;
  if (contentType.startsWith("application/cloudevents+json")) {
    result = fromStructured(json.value, registry);
  } else if (contentType.startsWith("application/cloudevents")) {
    return fail("unsupported_content_type", `content-type: ${contentType} is not supported`);
  } else if (headers.map.has("ce_type")) {
    result = buildEvent(attributesFromHeaders(headers.map), json.value, registry);
  } else if (message.topic === `${prefix}user.events`) {
    result = buildEvent(legacyAttributes(message, text), json.value, registry);
  } else {
    return fail("invalid_attributes", "header ce_type: missing");
  }
  if (result.ok) {
    const expected = `${prefix}${topicFor(result.event.type, registry)}`;
    const onContractTopic = message.topic.startsWith(prefix) && message.topic.endsWith(".events");
    if (onContractTopic && message.topic !== expected) {
      return fail(
        "wrong_topic",
        `${result.event.type} belongs on ${expected}, not ${message.topic}`,
      );
    }
  }
  return result;
}

type HeaderRead = { ok: true; map: Map<string, string> } | { ok: false; result: DecodeResult };

function readHeaders(input: KafkaMessageInput["headers"]): HeaderRead {
  const map = new Map<string, string>();
  const entries = input instanceof Map ? input.entries() : Object.entries(input ?? {});
  for (const [rawName, rawValue] of entries) {
    const name = toText(rawName);
    if (name === null) return { ok: false, result: fail("invalid_utf8", "header name: not UTF-8") };
    if (rawValue === null || rawValue === undefined) continue;
    const value = toText(rawValue);
    if (value === null) {
      return { ok: false, result: fail("invalid_utf8", `header ${name}: not valid UTF-8`) };
    }
    map.set(name.toLowerCase(), value);
  }
  return { ok: true, map };
}

function attributesFromHeaders(headers: Map<string, string>): Record<string, unknown> {
  // fromEntries defines own keys: a `ce___proto__` header stays a (refused) attribute.
  const attributes: Record<string, unknown> = Object.fromEntries(
    [...headers].flatMap(([name, value]) =>
      name.startsWith("ce_") ? [[name.slice(3), value]] : [],
    ),
  );
  if (typeof attributes.entityversion === "string") {
    attributes.entityversion = parseVersion(attributes.entityversion);
  }
  return attributes;
}

/**
 * The original producer sent bare JSON on `user.events` with no headers: read it as
 * `user.created`, version 1, tenant from the data, id derived from the bytes so that a
 * redelivery gets the same id.
 */
function legacyAttributes(message: KafkaMessageInput, text: string): Record<string, unknown> {
  const key = message.key === null || message.key === undefined ? "" : (toText(message.key) ?? "");
  const digest = createHash("sha256").update(`${message.topic}\n${key}\n${text}`).digest("hex");
  return {
    specversion: "1.0",
    id: `legacy-${digest.slice(0, 32)}`,
    source: "urn:event-mesh:legacy-producer",
    type: "user.created",
    time: toIsoTime(message.timestamp),
  };
}

function toIsoTime(timestamp: KafkaMessageInput["timestamp"]): string {
  if (timestamp instanceof Date) return timestamp.toISOString();
  if (timestamp !== undefined) return new Date(Number(timestamp)).toISOString();
  return new Date().toISOString();
}
