/**
 * Read-your-writes: every write answer of a producer carries a consistency token naming what it
 * wrote. A search that passes it back is answered only once the gateway's vector store holds that
 * version or a later one. The token is opaque to clients (its layout may change with its `m2`
 * prefix) and scoped: the gateway refuses one of another tenant, so it can never make a caller
 * wait on, or learn about, someone else's data. It ends in an HMAC under a key the producers and
 * the gateways share (MESH_TOKEN_KEYS): a client cannot invent a token for a write that never
 * happened (each would hold a search for the whole wait bound), and the gateway refuses one at
 * once, before any wait. Its parts are the contract's own id alphabets joined by dots, so one
 * pattern states exactly which strings are tokens: `/openapi.json` can say what `/search`
 * accepts, and every string it allows decodes (the signature is checked after).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";

/** Response header of every write answer; `/search` takes its value as `after`. */
export const CONSISTENCY_TOKEN_HEADER = "X-Mesh-Token";
/** Longest token: the prefix, a 63-character tenant and collection, a 64-character id, … */
export const CONSISTENCY_TOKEN_MAX_LENGTH = 250;
/**
 * The key of development mode (MESH_TOKEN_KEYS unset), so that `bun run dev` works out of the
 * box. It is public: production refuses to start without keys of its own.
 */
export const DEV_MESH_TOKEN_KEY = "event-mesh-development-only-consistency-token-key";
/** Bytes of the HMAC-SHA256 kept in a token: 128 bits, 22 base64url characters. */
const MAC_BYTES = 16;

/** Hono variables of a producer: the keys `setConsistencyToken` signs with (first one). */
export type MeshTokenVariables = { meshTokenKeys: readonly string[] };

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
 * The pattern of a token: `m2.<tenant>.<collection>.<entity>.<version>.<0|1>.<hmac>`; with
 * `collections`, only tokens naming one of them (what one gateway indexes).
 */
export function consistencyTokenPattern(collections?: readonly string[]): RegExp {
  const collection = collections ? `(${collections.join("|")})` : "([a-z][a-z0-9_-]{0,62})";
  // Versions of up to 15 digits stay below 2^53: every match decodes to a safe integer.
  return new RegExp(
    `^m2\\.([a-z0-9-]{1,63})\\.${collection}\\.([A-Za-z0-9_-]{1,64})\\.([1-9][0-9]{0,14})\\.([01])\\.([A-Za-z0-9_-]{22})$`,
  );
}

const TOKEN = consistencyTokenPattern();

function mac(key: string, body: string): string {
  return createHmac("sha256", key)
    .update(body)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString("base64url");
}

/** The token of a write, signed with the first of `keys`. */
export function encodeConsistencyToken(target: ConsistencyTarget, keys: readonly string[]): string {
  const [key] = keys;
  if (!key) throw new Error("no consistency token key (MESH_TOKEN_KEYS)");
  const { tenantId, collection, entityId, version, deleted } = target;
  const body = `m2.${tenantId}.${collection}.${entityId}.${version}.${deleted ? 1 : 0}`;
  return `${body}.${mac(key, body)}`;
}

/**
 * Reads a token and checks its signature against each of `keys` (the current key and those
 * still accepted during a rotation); never throws: a target, or why the text is not a token.
 */
export function decodeConsistencyToken(
  text: string,
  keys: readonly string[],
): { ok: true; target: ConsistencyTarget } | { ok: false; reason: string } {
  const match = text.length <= CONSISTENCY_TOKEN_MAX_LENGTH ? TOKEN.exec(text) : null;
  if (!match) return { ok: false, reason: "is not a consistency token from a write answer" };
  const [, tenantId = "", collection = "", entityId = "", version = "", deleted, signature = ""] =
    match;
  // Compared as text, not decoded bytes: base64url's spare bits in the last character would
  // let several spellings of one signature through.
  const given = Buffer.from(signature);
  const body = text.slice(0, text.lastIndexOf("."));
  const signed = keys.some((key) => {
    const expected = Buffer.from(mac(key, body));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) return { ok: false, reason: "is not signed by this mesh (forged or altered)" };
  return {
    ok: true,
    target: { tenantId, collection, entityId, version: Number(version), deleted: deleted === "1" },
  };
}

/**
 * Puts the keys on the context of every request, for `setConsistencyToken` (producers mount it
 * once, in front of their write routes).
 */
export function meshTokenKeys(keys: readonly string[]) {
  return async function useMeshTokenKeys(
    c: Context<{ Variables: MeshTokenVariables }>,
    next: () => Promise<void>,
  ): Promise<void> {
    c.set("meshTokenKeys", keys);
    await next();
  };
}

/** Sets the signed token header of a write answer; call it in the handler before returning. */
export function setConsistencyToken(c: Context, target: ConsistencyTarget): void {
  const keys: unknown = c.get("meshTokenKeys");
  // Without `meshTokenKeys()` in front, a write must fail loudly rather than answer unsigned.
  if (!Array.isArray(keys))
    throw new Error("meshTokenKeys() is not mounted in front of this route");
  c.header(CONSISTENCY_TOKEN_HEADER, encodeConsistencyToken(target, keys));
}

/** The OpenAPI entry of the header, for the `headers` of a documented write response. */
export const consistencyTokenDoc = {
  [CONSISTENCY_TOKEN_HEADER]: {
    description:
      "Consistency token of this write: pass it to the ai-gateway's `/search` as `after` to read your write",
    schema: { type: "string" as const },
  },
};
