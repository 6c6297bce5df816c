import type { AnyMeshEvent } from "@event-mesh/contracts";
import { deletedEvent } from "@event-mesh/outbox-kit";
import type { User } from "../store/index.ts";

/** CloudEvents `source` of every event this service writes. */
export const SOURCE = "urn:event-mesh:user-service";

// These build the events directly instead of through the contracts' `makeEvent`, which checks
// every field with valibot (about 5 % of a create under load). Each field is already known to
// be valid here: e-mail and name passed the same contract field schemas in the route's
// validator, the tenant id passed auth's TenantId check, ids are UUIDv7 made here, times are
// toISOString() and versions positive integers. events.test.ts checks the result against the
// contract's own decoder.

/** `user.created` / `user.updated`: the user's whole state, in the original shape. */
export function userChanged(type: "user.created" | "user.updated", user: User): AnyMeshEvent {
  const data = { id: user.id, email: user.email, name: user.name, tenantId: user.tenantId };
  const event = {
    id: Bun.randomUUIDv7(),
    source: SOURCE,
    time: user.updatedAt,
    tenantId: user.tenantId,
    version: user.version,
  };
  return type === "user.created" ? { ...event, type, data } : { ...event, type, data };
}

/** `user.deleted`: only the identity; its version is one past the user's last. */
export function userDeleted(user: User, time: string): AnyMeshEvent {
  return deletedEvent("user.deleted", SOURCE, user, time);
}
