import { makeEvent } from "@event-mesh/contracts";

/** A user's event as a producer would send it: `user.created` at version 1, else `user.updated`. */
export const userEvent = (tenantId: string, id: number, name: string, version = 1) =>
  makeEvent(version === 1 ? "user.created" : "user.updated", {
    tenantId,
    source: "urn:test",
    version,
    data: { id, name, email: `${id}@${tenantId}.dev`, tenantId },
  });
