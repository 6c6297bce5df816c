/**
 * Read-your-writes: every write answer of a producer carries a consistency token naming what it
 * wrote. A search that passes it back is answered only once the gateway's vector store holds that
 * version or a later one. The token is opaque to clients (its layout may change with its `m1`
 * prefix) and scoped: the gateway refuses one of another tenant, so it can never make a caller
 * wait on, or learn about, someone else's data. Its parts are the contract's own id alphabets
 * joined by dots, so one pattern states exactly which strings are tokens: `/openapi.json` can
 * say what `/search` accepts, and every string it allows decodes.
 */
import type { Context } from "hono";

/** Response header of every write answer; `/search` takes its value as `after`. */
export const CONSISTENCY_TOKEN_HEADER = "X-Mesh-Token";
/** Longest token: the prefix, a 63-character tenant and collection, a 64-character id, … */
export const CONSISTENCY_TOKEN_MAX_LENGTH = 220;

/** What a write stored, as the gateway will look for it. */
export interface ConsistencyTarget {
  /** The tenant that wrote (contract `TenantId`); the gateway refuses the token for any other. */
  tenantId: string;
  /** The gateway collection the entity is indexed in (`users`, `tasks`). */
  collection: string;
  /** The entity's own id (contract `EntityId`: 1–64 of `A-Z a-z 0-9 _ -`). */
  entityId: string;
  /** The version the write gave the entity (a delete's is one past its last). */
  version: number;
  /** True for a delete: an entity the store does not hold at all also satisfies it. */
  deleted: boolean;
}

/**
 * The pattern of a token: `m1.<tenant>.<collection>.<entity>.<version>.<0|1>`; with
 * `collections`, only tokens naming one of them (what one gateway indexes).
 */
export function consistencyTokenPattern(collections?: readonly string[]): RegExp {
  const collection = collections ? `(${collections.join("|")})` : "([a-z][a-z0-9_-]{0,62})";
  // Versions of up to 15 digits stay below 2^53: every match decodes to a safe integer.
  return new RegExp(
    `^m1\\.([a-z0-9-]{1,63})\\.${collection}\\.([A-Za-z0-9_-]{1,64})\\.([1-9][0-9]{0,14})\\.([01])$`,
  );
}

const TOKEN = consistencyTokenPattern();

/** The token of a write. */
export function encodeConsistencyToken(target: ConsistencyTarget): string {
  const { tenantId, collection, entityId, version, deleted } = target;
  return `m1.${tenantId}.${collection}.${entityId}.${version}.${deleted ? 1 : 0}`;
}

/** Reads a token; never throws: a target, or the reason the text is not a token. */
export function decodeConsistencyToken(
  text: string,
): { ok: true; target: ConsistencyTarget } | { ok: false; reason: string } {
  const match = text.length <= CONSISTENCY_TOKEN_MAX_LENGTH ? TOKEN.exec(text) : null;
  if (!match) return { ok: false, reason: "is not a consistency token from a write answer" };
  const [, tenantId = "", collection = "", entityId = "", version = "", deleted] = match;
  return {
    ok: true,
    target: { tenantId, collection, entityId, version: Number(version), deleted: deleted === "1" },
  };
}

/** Sets the token header of a write answer; call it in the handler before returning. */
export function setConsistencyToken(c: Context, target: ConsistencyTarget): void {
  c.header(CONSISTENCY_TOKEN_HEADER, encodeConsistencyToken(target));
}

/** The OpenAPI entry of the header, for the `headers` of a documented write response. */
export const consistencyTokenDoc = {
  [CONSISTENCY_TOKEN_HEADER]: {
    description:
      "Consistency token of this write: pass it to the ai-gateway's `/search` as `after` to read your write",
    schema: { type: "string" as const },
  },
};
