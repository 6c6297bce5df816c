import { pagedSnapshotSource, type SnapshotSource } from "@event-mesh/service-kit";
import type { UserStore } from "../store/index.ts";

/** The users of a store as the ai-gateway's reconciliation reads and repairs them. */
export function userSnapshotSource(store: UserStore): SnapshotSource {
  return pagedSnapshotSource({
    page: async (tenantId, after, limit) => {
      const page = await store.list(tenantId, { limit, after });
      return { entities: page.users, lastId: page.lastId };
    },
    tenants: (after, limit) => store.tenants(after, limit),
    republish: (tenantId, ids) => store.republish(tenantId, ids),
  });
}
