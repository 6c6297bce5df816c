// What a rule says about one event type: its entity, producer, id, and what the gateway does.
import type * as v from "valibot";
import type { EventData, EventType } from "./events.ts";

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
