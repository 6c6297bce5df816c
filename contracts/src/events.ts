import * as v from "valibot";
import { Amount, Email, EntityId, Name, TenantId, Text, Timestamp } from "./fields.ts";

/** The state of a user, as carried by `user.created` and `user.updated` (the original shape). */
export const UserData = v.strictObject({
  /** The user's id. */
  id: EntityId,
  /** The user's e-mail address. */
  email: Email,
  /** The user's display name. */
  name: Name,
  /** The tenant the user belongs to. */
  tenantId: TenantId,
});

/** A deleted user: only its identity. */
export const UserDeletedData = v.strictObject({
  /** The deleted user's id. */
  id: EntityId,
  /** The tenant the user belonged to. */
  tenantId: TenantId,
});

/** A new tenant. The entity id of a tenant is its tenant id. */
export const TenantCreatedData = v.strictObject({
  /** The new tenant's id. */
  tenantId: TenantId,
  /** The tenant's display name. */
  name: Name,
});

/**
 * A tenant offboarded: every consumer erases everything it holds of the tenant, derived copies
 * included. Only the identity travels; the erase event must not carry the data it erases.
 */
export const TenantDeletedData = v.strictObject({
  /** The erased tenant's id. */
  tenantId: TenantId,
});

/** Task state values. */
export const TaskStatus = v.picklist(["open", "in_progress", "completed"], "must be a task status");

/** The whole state of a task, as carried by `task.created`, `task.updated` and `task.completed`. */
export const TaskData = v.strictObject({
  /** The task's id. */
  id: EntityId,
  /** The tenant the task belongs to. */
  tenantId: TenantId,
  /** The task's title. */
  title: Name,
  /** The task's description (may be empty). */
  description: Text,
  /** The task's status after the change. */
  status: TaskStatus,
  /** Id of the user of the same tenant the task is assigned to; absent when unassigned. */
  assignee: v.optional(EntityId),
});

/** A deleted task: only its identity. */
export const TaskDeletedData = v.strictObject({
  /** The deleted task's id. */
  id: EntityId,
  /** The tenant the task belonged to. */
  tenantId: TenantId,
});

/** Usage metrics that are billed. */
export const UsageMetric = v.picklist(["embeddings", "searches"], "must be a usage metric");

/** An increment of a tenant's usage of one metric. */
export const UsageIncrementedData = v.strictObject({
  /** The tenant whose usage grew. */
  tenantId: TenantId,
  /** What was used. */
  metric: UsageMetric,
  /** How many units were used. */
  amount: Amount,
  /** When the usage happened. */
  occurredAt: Timestamp,
});

/** Data schema of every event type in the catalog. */
export const EVENT_SCHEMAS = {
  "user.created": UserData,
  "user.updated": UserData,
  "user.deleted": UserDeletedData,
  "tenant.created": TenantCreatedData,
  "tenant.deleted": TenantDeletedData,
  "task.created": TaskData,
  "task.completed": TaskData,
  "task.updated": TaskData,
  "task.deleted": TaskDeletedData,
  "billing.usage.incremented": UsageIncrementedData,
} as const;

/** The name of an event in the catalog, `<entity>.<action>`. */
export type EventType = keyof typeof EVENT_SCHEMAS;

/** Every event type of the catalog. */
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** The data of an event of type `T`. */
export type EventData<T extends EventType = EventType> = v.InferOutput<(typeof EVENT_SCHEMAS)[T]>;
