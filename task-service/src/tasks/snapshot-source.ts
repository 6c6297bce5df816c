import { pagedSnapshotSource, type SnapshotSource } from "@event-mesh/service-kit";
import type { TaskStore } from "../store/index.ts";

/** The tasks of a store as the ai-gateway's reconciliation reads and repairs them. */
export function taskSnapshotSource(store: TaskStore): SnapshotSource {
  return pagedSnapshotSource({
    page: async (tenantId, after, limit) => {
      const page = await store.list(tenantId, { limit, after });
      return { entities: page.tasks, lastId: page.lastId };
    },
    tenants: (after, limit) => store.tenants(after, limit),
    republish: (tenantId, ids) => store.republish(tenantId, ids),
  });
}
