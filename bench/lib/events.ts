// Seeded user.created events for the benchmarks, spread over tenants.

import { users } from "../../ai-gateway/test/names.ts";
import { type AnyMeshEvent, makeEvent } from "../../contracts/src/index.ts";

/** `count` user.created events over `tenants` tenants (tenant-0 …), the same for the same seed. */
export function userCreatedEvents(count: number, tenants: number, seed = 1): AnyMeshEvent[] {
  const perTenant = Math.ceil(count / tenants);
  const events: AnyMeshEvent[] = [];
  for (let t = 0; t < tenants && events.length < count; t++) {
    const tenantId = `tenant-${t}`;
    for (const user of users(tenantId, Math.min(perTenant, count - events.length), seed + t)) {
      events.push(makeEvent("user.created", { tenantId, source: "urn:bench", data: user }));
    }
  }
  return events;
}
