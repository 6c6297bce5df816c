import { createHash } from "node:crypto";
import type { Collection } from "./index.ts";

/** Fixed namespace of the gateway's point ids (a random UUID, chosen once; never change it). */
const NAMESPACE = "5b0f6c8e-3c1d-4f5a-9b2e-7d4a1e6c2f90";

/** RFC 9562 UUID version 5 (SHA-1, name-based) of `name` in `namespace`. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The point id of an entity: the same entity always maps to the same point, so a redelivered
 * event overwrites instead of duplicating. The tenant is part of it: equal ids in two tenants
 * are two points.
 */
export function pointId(collection: Collection, tenantId: string, entityId: string): string {
  return uuidV5(`${collection}\n${tenantId}\n${entityId}`);
}
