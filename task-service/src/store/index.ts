import type { ErasableStore, IdempotentRequest, Outbox } from "@event-mesh/outbox-kit";

export type { IdempotentRequest, Outbox } from "@event-mesh/outbox-kit";

/** Where a task stands. `completed` is reached through `POST /tasks/{id}/complete`. */
export type TaskStatus = "open" | "in_progress" | "completed";

/** A task as the API returns it. */
export interface Task {
  id: string;
  tenantId: string;
  title: string;
  description: string;
  status: TaskStatus;
  /** Id of a user of the same tenant, or null when unassigned. */
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
  /** 1 on creation, +1 with each change; equals the version of the task's last event. */
  version: number;
}

/** What a create or an update may set. */
export interface TaskFields {
  title?: string | undefined;
  description?: string | undefined;
  status?: TaskStatus | undefined;
  assignee?: string | null | undefined;
}

/** Outcome of a create. */
export type CreateResult =
  | { ok: true; status: number; body: unknown; replayed: boolean }
  | { ok: false; reason: "key_reused" };

/** Outcome of an update or a completion. */
export type UpdateResult = { ok: true; task: Task } | { ok: false; reason: "not_found" };

/** One page of tasks, oldest first. */
export interface TaskPage {
  tasks: Task[];
  /** Id of the last task on the page when more may follow. */
  lastId: string | undefined;
}

/**
 * The tasks of every tenant. Every change writes the task and its event in one transaction;
 * a failed transaction leaves neither.
 */
export interface TaskStore extends ErasableStore {
  create(tenantId: string, task: Task, idempotency?: IdempotentRequest): Promise<CreateResult>;
  get(tenantId: string, id: string): Promise<Task | undefined>;
  list(tenantId: string, options: { limit: number; after?: string | undefined }): Promise<TaskPage>;
  /** Sets the fields of `patch` and writes `task.updated`, under a lock. */
  update(tenantId: string, id: string, patch: TaskFields): Promise<UpdateResult>;
  /**
   * Sets the status to `completed` and writes `task.completed`, under a lock; a completed task
   * is answered as it is, with no event (a retry is harmless).
   */
  complete(tenantId: string, id: string): Promise<UpdateResult>;
  /** The delete's version (its `task.deleted` event's) when the task existed; else undefined. */
  delete(tenantId: string, id: string): Promise<number | undefined>;
  /** Up to `limit` tenants that have tasks, after `after`, ascending (reconciliation). */
  tenants(after: string | undefined, limit: number): Promise<string[]>;
  /**
   * Writes `task.updated` with the current state and version of each existing task of `ids` to
   * the outbox, in one transaction (reconciliation's repair); answers the ids found.
   */
  republish(tenantId: string, ids: readonly string[]): Promise<string[]>;
  /**
   * An operator provisioned the erased tenant again (user-service owns tenants; task-service
   * only lifts its own 410).
   */
  provisionTenant(tenantId: string): Promise<void>;
  /** Throws when the store cannot take a write (readiness). */
  probeWrite(): Promise<void>;
  outbox: Outbox;
  close(): void | Promise<void>;
}
