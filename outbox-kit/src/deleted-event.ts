import type { AnyMeshEvent } from "@event-mesh/contracts";

/**
 * The `<entity>.deleted` event of a producer's entity: only its identity, and a version one past
 * the entity's last, so the gateway's "highest version wins" lets the delete win.
 */
export function deletedEvent(
  type: "user.deleted" | "task.deleted",
  source: string,
  entity: { id: string; tenantId: string; version: number },
  time: string,
): AnyMeshEvent {
  const envelope = {
    id: Bun.randomUUIDv7(),
    source,
    time,
    tenantId: entity.tenantId,
    version: entity.version + 1,
  };
  const data = { id: entity.id, tenantId: entity.tenantId };
  return type === "user.deleted" ? { ...envelope, type, data } : { ...envelope, type, data };
}
