import type { SnapshotSource } from "@event-mesh/service-kit";
import type { TaskStore } from "../store/index.ts";

/** The tasks of a store as the ai-gateway's reconciliation reads and repairs them. */
export function taskSnapshotSource(store: TaskStore): SnapshotSource {
  return {
    async snapshot(tenantId, after, limit) {
      const page = await store.list(tenantId, { limit, after });
      return {
        entities: page.tasks.map((task) => ({ id: task.id, version: task.version })),
        next: page.lastId ?? null,
      };
    },
    async tenants(after, limit) {
      const tenants = await store.tenants(after, limit + 1);
      const page = tenants.slice(0, limit);
      return { tenants: page, next: tenants.length > limit ? (page.at(-1) ?? null) : null };
    },
    async republish(tenantId, ids) {
      const found = new Set(await store.republish(tenantId, ids));
      return {
        republished: ids.filter((id) => found.has(id)),
        missing: ids.filter((id) => !found.has(id)),
      };
    },
  };
}
