import * as v from "valibot";
import type { EventData, EventType } from "./events.ts";
import { TenantId, Timestamp, Version } from "./fields.ts";
import { EVENT_REGISTRY, isEventType, type Registry } from "./registry.ts";

/** A domain event: CloudEvents context attributes plus the data of its type. */
export interface MeshEvent<T extends EventType = EventType> {
  /** Unique id of this event (CloudEvents `id`). */
  id: string;
  /** Event type, `<entity>.<action>` (CloudEvents `type`). */
  type: T;
  /** Who produced the event, a URI reference (CloudEvents `source`). */
  source: string;
  /** When the change happened, RFC 3339 (CloudEvents `time`). */
  time: string;
  /** The tenant the event belongs to (extension attribute `tenantid`). */
  tenantId: string;
  /** The entity's version after this change, 1 on creation (extension `entityversion`). */
  version: number;
  /** The event's data, exactly the shape of its type's schema. */
  data: EventData<T>;
}

/** Any event of the catalog, discriminated on `type`. */
export type AnyMeshEvent = { [T in EventType]: MeshEvent<T> }[EventType];

/** Why a message could not be read as an event. */
export type DecodeErrorCode =
  | "too_large"
  | "invalid_utf8"
  | "invalid_json"
  | "invalid_attributes"
  | "unknown_type"
  | "missing_tenant"
  | "tenant_mismatch"
  | "invalid_data"
  | "wrong_topic"
  | "unsupported_content_type";

/** A decoding failure as a value: a stable code and a message naming the problem. */
export interface DecodeError {
  /** Stable machine-readable reason. */
  code: DecodeErrorCode;
  /** Human-readable reason, naming the field or header at fault. */
  message: string;
}

/** The result of decoding: the event, or the reason it was refused. */
export type DecodeResult = { ok: true; event: AnyMeshEvent } | { ok: false; error: DecodeError };

/** The largest event value accepted, in bytes (256 KiB). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Thrown by `makeEvent` only: building an invalid event is a programming error. */
export class ContractError extends Error {
  override name = "ContractError";
}

/** The CloudEvents context attributes, as read from headers or a structured event. */
export const ContextAttributes = v.object({
  specversion: v.literal("1.0", "must be 1.0"),
  id: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(256, "is too long")),
  source: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(1024, "is too long")),
  type: v.string(),
  time: Timestamp,
  tenantid: v.optional(TenantId),
  entityversion: v.optional(Version),
});

export function fail(code: DecodeErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

function describeIssues(prefix: string, issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return `${path ? `${prefix}.${path}` : prefix}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Builds an event from already-parsed context attributes and data, checking everything:
 * the shared final step of every decoder (Kafka binary/structured, HTTP binary/structured/batch).
 * `registry` names the known types and their schemas (tests pass an extended one).
 */
export function buildEvent(
  attributes: Record<string, unknown>,
  data: unknown,
  registry: Registry = EVENT_REGISTRY,
): DecodeResult {
  const context = v.safeParse(ContextAttributes, attributes);
  if (!context.success) {
    return fail("invalid_attributes", describeIssues("attributes", context.issues));
  }
  const { type, tenantid } = context.output;
  // Own keys only: `type in registry` also finds `constructor`, `__proto__`, `toString`.
  if (!isEventType(type, registry)) return fail("unknown_type", `unknown event type "${type}"`);
  const dataTenant =
    typeof data === "object" && data !== null && "tenantId" in data ? data.tenantId : undefined;
  if (tenantid === undefined && dataTenant === undefined) {
    return fail("missing_tenant", "no tenant: neither a tenantid attribute nor data.tenantId");
  }
  const spec = registry[type];
  if (!spec) return fail("unknown_type", `unknown event type "${type}"`);
  const parsed = v.safeParse(spec.schema, data);
  if (!parsed.success) return fail("invalid_data", describeIssues("data", parsed.issues));
  const tenantId = tenantid ?? parsed.output.tenantId;
  if (parsed.output.tenantId !== tenantId) {
    return fail("tenant_mismatch", `tenantid "${tenantId}" differs from data.tenantId`);
  }
  const event = {
    id: context.output.id,
    type,
    source: context.output.source,
    time: context.output.time,
    tenantId,
    version: context.output.entityversion ?? 1,
    data: parsed.output,
  };
  return { ok: true, event: event as AnyMeshEvent };
}

/** Fields given to `makeEvent`; `id` and `time` default to a new UUID and now. */
export interface EventInit<T extends EventType> {
  tenantId: string;
  source: string;
  data: EventData<T>;
  version?: number;
  id?: string;
  time?: string;
}

/** Builds a valid event of type `type`, or throws `ContractError` naming what is invalid. */
export function makeEvent<T extends EventType>(type: T, init: EventInit<T>): MeshEvent<T> {
  const result = buildEvent(
    {
      specversion: "1.0",
      id: init.id ?? crypto.randomUUID(),
      source: init.source,
      type,
      time: init.time ?? new Date().toISOString(),
      tenantid: init.tenantId,
      entityversion: init.version ?? 1,
    },
    init.data,
  );
  if (!result.ok) throw new ContractError(`${type}: ${result.error.message}`);
  return result.event as MeshEvent<T>;
}
