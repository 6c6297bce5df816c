import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import type { User } from "../store/index.ts";

/** CloudEvents `source` of every event this service writes. */
export const SOURCE = "urn:event-mesh:user-service";

/** `user.created` / `user.updated`: the user's whole state, in the original shape. */
export function userChanged(type: "user.created" | "user.updated", user: User): AnyMeshEvent {
  return makeEvent(type, {
    id: Bun.randomUUIDv7(),
    tenantId: user.tenantId,
    source: SOURCE,
    time: user.updatedAt,
    version: user.version,
    data: { id: user.id, email: user.email, name: user.name, tenantId: user.tenantId },
  });
}

/** `user.deleted`: only the identity; its version is one past the user's last. */
export function userDeleted(user: User, time: string): AnyMeshEvent {
  return makeEvent("user.deleted", {
    id: Bun.randomUUIDv7(),
    tenantId: user.tenantId,
    source: SOURCE,
    time,
    version: user.version + 1,
    data: { id: user.id, tenantId: user.tenantId },
  });
}
