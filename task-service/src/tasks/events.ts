import type { AnyMeshEvent } from "@event-mesh/contracts";
import { deletedEvent } from "@event-mesh/outbox-kit";
import type { Task } from "../store/index.ts";

/** CloudEvents `source` of every event this service writes. */
export const SOURCE = "urn:event-mesh:task-service";

/** `task.created` / `task.updated` / `task.completed`: the task's whole state. */
export function taskChanged(
  type: "task.created" | "task.updated" | "task.completed",
  task: Task,
): AnyMeshEvent {
  const data = {
    id: task.id,
    tenantId: task.tenantId,
    title: task.title,
    description: task.description,
    status: task.status,
    // The contract leaves the field out for an unassigned task.
    ...(task.assignee === null ? {} : { assignee: task.assignee }),
  };
  const envelope = {
    id: Bun.randomUUIDv7(),
    source: SOURCE,
    time: task.updatedAt,
    tenantId: task.tenantId,
    version: task.version,
  };
  return { ...envelope, type, data };
}

/** `task.deleted`: only the identity; its version is one past the task's last. */
export function taskDeleted(task: Task, time: string): AnyMeshEvent {
  return deletedEvent("task.deleted", SOURCE, task, time);
}
