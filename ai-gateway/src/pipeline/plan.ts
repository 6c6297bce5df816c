import {
  type AnyMeshEvent,
  EVENT_REGISTRY,
  filterValuesOf,
  type GatewayRule,
  type MeshEvent,
  type Registry,
  type TenantScoped,
} from "@event-mesh/contracts";
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
  /** Text to embed (upserts only); the keyword index holds its words too. */
  text: string;
  /** Values of the rule's filterable fields (upserts only). */
  filters: Record<string, string>;
  /** The rule declares long text fields: a text past CHUNK_CHARS is stored in chunks. */
  longText?: boolean | undefined;
  /** Event data, stored as the point's payload. */
  data: Record<string, unknown>;
  /** The event that produced this state. */
  event: AnyMeshEvent;
}

/** What one batch of valid events asks of the stores. */
export interface BatchPlan {
  /** One change per entity, in first-seen order. */
  changes: EntityChange[];
  /** Events whose rule is `record-tenant` (`tenant.created`), recorded without embedding. */
  tenants: MeshEvent<"tenant.created">[];
  /** Events whose rule is `erase-tenant` (`tenant.deleted`): the tenant's data is erased. */
  erasures: MeshEvent<"tenant.deleted">[];
  /** Events whose rule is `ignore` (e.g. billing events sent to the ingest). */
  ignored: AnyMeshEvent[];
}

// Kept here too: tests and tools import the user text from the plan.
export { userText } from "@event-mesh/contracts";

/** How an event maps to a change of a collection, as its type's rule says. */
function changeOf(
  event: AnyMeshEvent,
  rule: GatewayRule<TenantScoped>,
): Omit<EntityChange, "pointId" | "entityId" | "tenantId" | "version" | "event"> | null {
  if (rule.action === "upsert") {
    const { collection, action } = rule;
    const data = rule.payload(event.data);
    const filters = filterValuesOf(rule.filters, data);
    const longText = (rule.longTextFields?.length ?? 0) > 0;
    return { collection, action, text: rule.text(event.data), filters, data, longText };
  }
  if (rule.action === "delete") {
    const data = { ...event.data };
    return { collection: rule.collection, action: "delete", text: "", filters: {}, data };
  }
  return null;
}

/**
 * Coalesces a batch per entity: the highest version wins; at equal versions a later event wins,
 * and a delete wins over an upsert. So create + update + delete of one user is one delete.
 */
export function planBatch(
  events: readonly AnyMeshEvent[],
  registry: Registry | undefined = EVENT_REGISTRY,
): BatchPlan {
  const byEntity = new Map<string, EntityChange>();
  const tenants: BatchPlan["tenants"] = [];
  const erasures: BatchPlan["erasures"] = [];
  const ignored: AnyMeshEvent[] = [];
  for (const event of events) {
    const spec = registry[event.type];
    // Decoding checked the type against the same registry; a type it lacks is ignored, not lost.
    if (!spec) {
      ignored.push(event);
      continue;
    }
    if (spec.gateway.action === "record-tenant") {
      // The rule is meant for data with the tenant's name (`tenant.created`); checked, not assumed.
      if ("name" in event.data && typeof event.data.name === "string")
        tenants.push(event as MeshEvent<"tenant.created">);
      else ignored.push(event);
      continue;
    }
    if (spec.gateway.action === "erase-tenant") {
      erasures.push(event as MeshEvent<"tenant.deleted">);
      continue;
    }
    const change = changeOf(event, spec.gateway);
    if (!change) {
      ignored.push(event);
      continue;
    }
    const entityId = spec.entityId(event.data);
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
  // The pipeline erases before it writes. A change that came before its tenant's erase in the
  // batch is dropped, so it cannot bring erased data back; one after it (a tenant provisioned
  // again) is kept.
  const erasedAt = new Map(erasures.map((event) => [event.tenantId, events.indexOf(event)]));
  const after = (event: AnyMeshEvent) =>
    events.indexOf(event) > (erasedAt.get(event.tenantId) ?? -1);
  const changes = [...byEntity.values()].filter((change) => after(change.event));
  return { changes, tenants: tenants.filter(after), erasures, ignored };
}

function wins(next: EntityChange, previous: EntityChange): boolean {
  if (next.version !== previous.version) return next.version > previous.version;
  if (previous.action === "delete" && next.action === "upsert") return false;
  return true;
}
