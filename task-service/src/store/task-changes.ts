import type { Task, TaskFields, UpdateResult } from "./index.ts";

/** A change of a task: its new state and the event that says so. */
export interface TaskChange {
  task: Task;
  type: "task.updated" | "task.completed";
}

/** `current` with the fields of `patch` set (a null assignee unassigns), its version one up. */
export function patchedTask(
  current: Task,
  patch: TaskFields,
  time = new Date().toISOString(),
): TaskChange {
  return {
    type: "task.updated",
    task: {
      ...current,
      title: patch.title ?? current.title,
      description: patch.description ?? current.description,
      status: patch.status ?? current.status,
      assignee: patch.assignee === undefined ? current.assignee : patch.assignee,
      updatedAt: time,
      version: current.version + 1,
    },
  };
}

/** `current` completed, its version one up; undefined when it is completed already (no event). */
export function completedTask(
  current: Task,
  time = new Date().toISOString(),
): TaskChange | undefined {
  if (current.status === "completed") return undefined;
  return {
    type: "task.completed",
    task: { ...current, status: "completed", updatedAt: time, version: current.version + 1 },
  };
}

/**
 * What a change of the task read under the lock (`current`, undefined when there is none)
 * answers, and the new state the adapter must write with its event (none: nothing to write).
 */
export function decideChange(
  current: Task | undefined,
  change: (current: Task) => TaskChange | undefined,
): { answer: UpdateResult; write?: TaskChange } {
  if (!current) return { answer: { ok: false, reason: "not_found" } };
  const next = change(current);
  if (!next) return { answer: { ok: true, task: current } };
  return { answer: { ok: true, task: next.task }, write: next };
}
