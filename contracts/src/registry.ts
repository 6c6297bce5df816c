import type * as v from "valibot";
import { EVENT_SCHEMAS, EVENT_TYPES, type EventData, type EventType } from "./events.ts";

// Methods, not function-typed properties, throughout: a method parameter is checked bivariantly,
// so a rule written for `UserData` is also an `EventRule<unknown>` in a `Registry`.

/** The ai-gateway embeds the event's text and stores it, replacing the entity's point. */
export interface UpsertRule<D> {
  /** `upsert` */
  action: "upsert";
  /** Vector collection the entity lives in; also the `type` of `GET /search` and `/stats`. */
  collection: string;
  /** The text embedded, and so what search finds the entity by. Pure. */
  text(data: D): string;
  /**
   * The fields `text` is made of, in order. The gateway keeps a digest of them per collection
   * with each vector generation: a change of them re-embeds the collection in a new generation,
   * as a model change does. Default: none named (a change of `text` is then not noticed).
   */
  textFields?: readonly string[];
  /** What is stored beside the vector and returned with search hits. Pure. */
  payload(data: D): Record<string, unknown>;
  /**
   * Fields of the data that `/search` can filter on (`filter=status:open`), by equality or any
   * of several values. Each is stored as a string beside the vector and indexed; a field absent
   * from the data matches no filter on it. Default: none.
   */
  filters?: readonly string[];
  /**
   * Fields of the data whose text can be long (a task's description). When the rule declares
   * any, a text past CHUNK_CHARS is split into overlapping chunks, each embedded and stored as
   * its own point of the entity; search answers the entity once, by its best chunk. Default:
   * none (the text is embedded whole, cut at EMBEDDINGS_MAX_CHARS).
   */
  longTextFields?: readonly string[];
}

/** The ai-gateway removes the entity's point from `collection`. */
export interface DeleteRule {
  /** `delete` */
  action: "delete";
  /** Vector collection the entity lived in. */
  collection: string;
}

/** The ai-gateway records the tenant (its data has the tenant's `name`); nothing is embedded. */
export interface RecordTenantRule {
  /** `record-tenant` */
  action: "record-tenant";
}

/**
 * The ai-gateway erases everything it holds of the event's tenant: points of every collection and
 * generation (tombstones included), embedding-cache entries, dead letters, waiters and usage.
 */
export interface EraseTenantRule {
  /** `erase-tenant` */
  action: "erase-tenant";
}

/** The ai-gateway does not consume the event (it may produce it). */
export interface IgnoreRule {
  /** `ignore` */
  action: "ignore";
  /** Why, for readers of the registry. */
  reason: string;
}

/** What the ai-gateway does with one event type. */
export type GatewayRule<D> =
  | UpsertRule<D>
  | DeleteRule
  | RecordTenantRule
  | EraseTenantRule
  | IgnoreRule;

/** Everything about an event type except its data schema (that lives in `EVENT_SCHEMAS`). */
export interface EventRule<D> {
  /** Entity kind, the first part of the type; its topic is `<entity>.events`. */
  entity: string;
  /** The service that publishes it; null when no service of this repository does (yet). */
  producer: string | null;
  /** The id of the entity an event is about: the partition key and the point id use it. Pure. */
  entityId(data: D): string;
  /** Whether and how the ai-gateway indexes it. */
  gateway: GatewayRule<D>;
}

/** Data every event carries: its tenant. */
export interface TenantScoped {
  /** The tenant the event belongs to. */
  tenantId: string;
}

/** One event type, complete: its data schema and its rule. */
export interface EventSpec<D extends TenantScoped = TenantScoped> extends EventRule<D> {
  /** The valibot schema of the event's data. */
  schema: v.GenericSchema<unknown, D>;
  /** The JSON Schema of the data, for a declared type (its schema is checked by it, not valibot). */
  jsonSchema?: Record<string, unknown>;
}

/**
 * A table of event types. Everything that depends on the catalog (topics, AsyncAPI, topic
 * creation, decoding, the gateway's consumed topics, plan and collections) takes one, with
 * `EVENT_REGISTRY` as the default, so a test can run the real code on an extended registry.
 */
export type Registry = Readonly<Record<string, EventSpec>>;

/** One rule per type of the catalog; a type without one fails `bun run check`, naming it. */
export type EventRules = { readonly [T in EventType]: EventRule<EventData<T>> };

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

/** The vector collections the registry's rules write to, in order of first mention. */
export function collectionsOf(registry: Registry = EVENT_REGISTRY): string[] {
  const collections = Object.values(registry).flatMap(({ gateway }) =>
    gateway.action === "upsert" || gateway.action === "delete" ? [gateway.collection] : [],
  );
  return [...new Set(collections)];
}

/**
 * The fields `/search` can filter on, per collection: those the upsert rules declare. A
 * collection whose rules declare none has an empty list.
 */
export function filterFieldsOf(registry: Registry = EVENT_REGISTRY): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const { gateway } of Object.values(registry)) {
    if (gateway.action !== "upsert" && gateway.action !== "delete") continue;
    const known = fields.get(gateway.collection) ?? [];
    const declared = gateway.action === "upsert" ? (gateway.filters ?? []) : [];
    fields.set(gateway.collection, [...new Set([...known, ...declared])]);
  }
  return fields;
}

/**
 * The text an entity of each collection is embedded and found by, computed from its stored data
 * (the collection's first upsert rule): what a reranker reads beside the query.
 */
export function textOfCollections(
  registry: Registry = EVENT_REGISTRY,
): Map<string, (data: Record<string, unknown>) => string> {
  const texts = new Map<string, (data: Record<string, unknown>) => string>();
  for (const { gateway } of Object.values(registry)) {
    if (gateway.action !== "upsert" || texts.has(gateway.collection)) continue;
    // Stored data is the validated data of an upsert event of this collection.
    const text = gateway.text as unknown as (data: Record<string, unknown>) => string;
    texts.set(gateway.collection, text);
  }
  return texts;
}

/**
 * The values of an upsert rule's filter fields in `data`, as strings (a numeric id `7` and the
 * query `assignee:7` then match). A field that is absent, null or not a scalar is left out.
 */
export function filterValuesOf(
  fields: readonly string[] | undefined,
  data: Record<string, unknown>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields ?? []) {
    const value = data[field];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      values[field] = String(value);
  }
  return values;
}
