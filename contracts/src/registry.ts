// The catalog's rules and the registry built from them (rule types: event-rules.ts).
import type * as v from "valibot";
import type { EventRules, EventSpec, Registry, TenantScoped, UpsertRule } from "./event-rules.ts";
import { EVENT_SCHEMAS, EVENT_TYPES, type EventData, type EventType } from "./events.ts";

export type * from "./event-rules.ts";

/** The text a user is embedded (and found) by. */
export function userText(user: { name: string; email: string }): string {
  return `${user.name} ${user.email}`;
}

/** The text a task is embedded (and found) by. */
export function taskText(task: { title: string; description: string; status: string }): string {
  return `${task.title}\n${task.description}\n${task.status}`;
}

const byId = (data: { id: string | number } & TenantScoped) => String(data.id);
const usersUpsert: UpsertRule<EventData<"user.created">> = {
  action: "upsert",
  collection: "users",
  text: userText,
  textFields: ["name", "email"],
  payload: (user) => ({ ...user }),
};
const tasksUpsert: UpsertRule<EventData<"task.created">> = {
  action: "upsert",
  collection: "tasks",
  text: taskText,
  textFields: ["title", "description", "status"],
  payload: (task) => ({ ...task }),
  filters: ["status", "assignee"],
  longTextFields: ["description"],
};

/** The rules of the catalog. To add an event type: its schema in `EVENT_SCHEMAS`, its rule here. */
export const EVENT_RULES = {
  "user.created": {
    entity: "user",
    producer: "user-service",
    entityId: byId,
    gateway: usersUpsert,
  },
  "user.updated": {
    entity: "user",
    producer: "user-service",
    entityId: byId,
    gateway: usersUpsert,
  },
  "user.deleted": {
    entity: "user",
    producer: "user-service",
    entityId: byId,
    gateway: { action: "delete", collection: "users" },
  },
  "tenant.created": {
    entity: "tenant",
    // POST /admin/tenants, an operator's route.
    producer: "user-service",
    // The entity id of a tenant is its tenant id.
    entityId: (tenant) => tenant.tenantId,
    gateway: { action: "record-tenant" },
  },
  "tenant.deleted": {
    entity: "tenant",
    // DELETE /admin/tenants/{id}, an operator's route; same partition key as tenant.created, so
    // a re-provisioning after an erase stays in order with it.
    producer: "user-service",
    entityId: (tenant) => tenant.tenantId,
    gateway: { action: "erase-tenant" },
  },
  "task.created": {
    entity: "task",
    producer: "task-service",
    entityId: byId,
    gateway: tasksUpsert,
  },
  "task.completed": {
    entity: "task",
    producer: "task-service",
    entityId: byId,
    gateway: tasksUpsert,
  },
  "task.updated": {
    entity: "task",
    producer: "task-service",
    entityId: byId,
    gateway: tasksUpsert,
  },
  "task.deleted": {
    entity: "task",
    producer: "task-service",
    entityId: byId,
    gateway: { action: "delete", collection: "tasks" },
  },
  "billing.usage.incremented": {
    entity: "billing",
    producer: "ai-gateway",
    // One running total per tenant and metric.
    entityId: (usage) => usage.metric,
    gateway: { action: "ignore", reason: "the gateway meters usage; it does not index it" },
  },
} satisfies EventRules;

/** The catalog: each type's schema and rule. Frozen: extend it by spreading, never in place. */
export const EVENT_REGISTRY: Registry = Object.freeze(
  Object.fromEntries(
    EVENT_TYPES.map((type) => [type, { schema: EVENT_SCHEMAS[type], ...EVENT_RULES[type] }]),
  ),
);

/** An entry for an extended registry, with its handlers typed by its schema. */
export function defineEvent<S extends v.GenericSchema<unknown, TenantScoped>>(
  spec: EventSpec<v.InferOutput<S>> & { schema: S },
): EventSpec<v.InferOutput<S>> {
  return spec;
}

/**
 * True when `type` names an event in `registry` (own keys only: not `constructor`, `__proto__`).
 * With an extended registry the narrowed type is a catalog name in the type system only.
 */
export function isEventType(type: unknown, registry: Registry = EVENT_REGISTRY): type is EventType {
  return typeof type === "string" && Object.hasOwn(registry, type);
}

/** The id of the entity an event is about, as its type's rule says. */
export function entityIdOf(
  type: EventType | (string & {}),
  data: TenantScoped,
  registry: Registry = EVENT_REGISTRY,
): string {
  const spec = registry[type];
  if (!spec) throw new Error(`unknown event type "${type}"`);
  return spec.entityId(data);
}
