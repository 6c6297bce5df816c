import { type AnyMeshEvent, entityIdOf } from "@event-mesh/contracts";
import type { Collection } from "../vectors/index.ts";
import { pointId } from "../vectors/point-id.ts";

/** The last state of one entity in a batch. */
export interface EntityChange {
  collection: Collection;
  action: "upsert" | "delete";
  pointId: string;
  tenantId: string;
  entityId: string;
  version: number;
  /** Text to embed (upserts only). */
  text: string;
  /** Event data, stored as the point's payload. */
  data: Record<string, unknown>;
  /** The event that produced this state. */
  event: AnyMeshEvent;
}

/** What one batch of valid events asks of the stores. */
export interface BatchPlan {
  /** One change per entity, in first-seen order. */
  changes: EntityChange[];
  /** `tenant.created` events, recorded without embedding. */
  tenants: Extract<AnyMeshEvent, { type: "tenant.created" }>[];
  /** Events the gateway has nothing to do with (e.g. billing events sent to the ingest). */
  ignored: AnyMeshEvent[];
}

/** The text a user is embedded (and found) by. */
export function userText(user: { name: string; email: string }): string {
  return `${user.name} ${user.email}`;
}

/** How an event maps to a change of a collection, or `null` when it has none. */
function changeOf(
  event: AnyMeshEvent,
): Omit<EntityChange, "pointId" | "entityId" | "tenantId" | "version" | "event"> | null {
  switch (event.type) {
    case "user.created":
    case "user.updated":
      return {
        collection: "users",
        action: "upsert",
        text: userText(event.data),
        data: { ...event.data },
      };
    case "user.deleted":
      return { collection: "users", action: "delete", text: "", data: { ...event.data } };
    case "task.created":
    case "task.completed":
      return {
        collection: "tasks",
        action: "upsert",
        text: `${event.data.title}\n${event.data.description}\n${event.data.status}`,
        data: { ...event.data },
      };
    default:
      return null;
  }
}

/**
 * Coalesces a batch per entity: the highest version wins; at equal versions a later event wins,
 * and a delete wins over an upsert. So create + update + delete of one user is one delete.
 */
export function planBatch(events: readonly AnyMeshEvent[]): BatchPlan {
  const byEntity = new Map<string, EntityChange>();
  const tenants: BatchPlan["tenants"] = [];
  const ignored: AnyMeshEvent[] = [];
  for (const event of events) {
    if (event.type === "tenant.created") {
      tenants.push(event);
      continue;
    }
    const change = changeOf(event);
    if (!change) {
      ignored.push(event);
      continue;
    }
    const entityId = entityIdOf(event.type, event.data);
    const id = pointId(change.collection, event.tenantId, entityId);
    const previous = byEntity.get(id);
    const candidate: EntityChange = {
      ...change,
      pointId: id,
      entityId,
      tenantId: event.tenantId,
      version: event.version,
      event,
    };
    if (!previous || wins(candidate, previous)) byEntity.set(id, candidate);
  }
  return { changes: [...byEntity.values()], tenants, ignored };
}

function wins(next: EntityChange, previous: EntityChange): boolean {
  if (next.version !== previous.version) return next.version > previous.version;
  if (previous.action === "delete" && next.action === "upsert") return false;
  return true;
}
