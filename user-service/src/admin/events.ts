import type { AnyMeshEvent } from "@event-mesh/contracts";
import type { Tenant } from "../store/index.ts";
import { SOURCE } from "../users/events.ts";

/** `tenant.created`: a new tenant (version 1; its entity id is the tenant id). */
export function tenantCreated(tenant: Tenant): AnyMeshEvent {
  return {
    id: Bun.randomUUIDv7(),
    type: "tenant.created",
    source: SOURCE,
    time: tenant.createdAt,
    tenantId: tenant.tenantId,
    version: 1,
    data: { tenantId: tenant.tenantId, name: tenant.name },
  };
}
