import { join } from "node:path";
import * as kit from "@event-mesh/outbox-kit";
import { taskChanged, taskDeleted } from "../tasks/events.ts";
import type {
  CreateResult,
  IdempotentRequest,
  Task,
  TaskFields,
  TaskPage,
  TaskStore,
  UpdateResult,
} from "./index.ts";
import { completedTask, decideChange, patchedTask, type TaskChange } from "./task-changes.ts";

/** The file's tables: outbox-kit's, then the tasks table. */
export const TASK_SQLITE_MIGRATIONS = {
  name: "task-service",
  dir: join(import.meta.dir, "..", "..", "migrations", "sqlite"),
};

/**
 * Tasks and their outbox in one SQLite file (WAL), written through a group commit like
 * user-service's: one COMMIT per event-loop turn, each caller answered after it.
 */
export class SqliteTaskStore extends kit.SqliteProducerStore implements TaskStore {
  constructor(path: string) {
    super(path, TASK_SQLITE_MIGRATIONS);
  }

  create(tenantId: string, task: Task, idempotency?: IdempotentRequest): Promise<CreateResult> {
    return this.group.run((): CreateResult => {
      kit.refuseErasedSqlite(this.db, tenantId);
      const seen = idempotency && kit.checkSqlite(this.db, tenantId, idempotency);
      if (seen?.seen) {
        if (seen.reused) return { ok: false, reason: "key_reused" };
        return { ok: true, status: seen.status, body: seen.body, replayed: true };
      }
      this.db
        .query("INSERT INTO tasks (tenant_id, id, task) VALUES (?, ?, ?)")
        .run(tenantId, task.id, JSON.stringify(task));
      kit.appendSqlite(this.db, taskChanged("task.created", task));
      if (idempotency)
        kit.rememberSqlite(this.db, tenantId, idempotency, { status: 201, body: task });
      return { ok: true, status: 201, body: task, replayed: false };
    });
  }

  async get(tenantId: string, id: string): Promise<Task | undefined> {
    return this.read(tenantId, id);
  }

  async list(
    tenantId: string,
    options: { limit: number; after?: string | undefined },
  ): Promise<TaskPage> {
    // Ids are UUIDv7, so id order is creation order and the cursor is stable under inserts.
    const tasks = this.db
      .query<{ task: string }, [string, string, number]>(
        "SELECT task FROM tasks WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
      )
      .all(tenantId, options.after ?? "", options.limit + 1)
      .map((row): Task => JSON.parse(row.task));
    const page = tasks.slice(0, options.limit);
    return { tasks: page, lastId: tasks.length > options.limit ? page.at(-1)?.id : undefined };
  }

  update(tenantId: string, id: string, patch: TaskFields): Promise<UpdateResult> {
    return this.change(tenantId, id, (current) => patchedTask(current, patch));
  }

  complete(tenantId: string, id: string): Promise<UpdateResult> {
    return this.change(tenantId, id, (current) => completedTask(current));
  }

  /** Applies `change` to the task under a lock; no change (undefined) writes no event. */
  private change(
    tenantId: string,
    id: string,
    change: (current: Task) => TaskChange | undefined,
  ): Promise<UpdateResult> {
    return this.group.run((): UpdateResult => {
      kit.refuseErasedSqlite(this.db, tenantId);
      const { answer, write } = decideChange(this.read(tenantId, id), change);
      if (write) {
        this.db
          .query("UPDATE tasks SET task = ? WHERE tenant_id = ? AND id = ?")
          .run(JSON.stringify(write.task), tenantId, id);
        kit.appendSqlite(this.db, taskChanged(write.type, write.task));
      }
      return answer;
    });
  }

  delete(tenantId: string, id: string): Promise<number | undefined> {
    return this.group.run((): number | undefined => {
      kit.refuseErasedSqlite(this.db, tenantId);
      const current = this.read(tenantId, id);
      if (!current) return undefined;
      this.db.query("DELETE FROM tasks WHERE tenant_id = ? AND id = ?").run(tenantId, id);
      const event = taskDeleted(current, new Date().toISOString());
      kit.appendSqlite(this.db, event);
      return event.version;
    });
  }

  async tenants(after: string | undefined, limit: number): Promise<string[]> {
    return this.db
      .query<{ t: string }, [string, number]>(
        "SELECT DISTINCT tenant_id AS t FROM tasks WHERE tenant_id > ? ORDER BY 1 LIMIT ?",
      )
      .all(after ?? "", limit)
      .map((row) => row.t);
  }

  republish(tenantId: string, ids: readonly string[]): Promise<string[]> {
    return this.group.run((): string[] => {
      const found: string[] = [];
      for (const id of ids) {
        const task = this.read(tenantId, id);
        if (!task) continue;
        kit.appendSqlite(this.db, taskChanged("task.updated", task));
        found.push(id);
      }
      return found;
    });
  }

  eraseTenant(tenantId: string, requestedBy: string): Promise<kit.ErasureRecord> {
    // user-service sends tenant.deleted; task-service erases its own rows only (source null).
    return this.eraseTables({ tenantId, requestedBy, tables: ["tasks"], source: null });
  }

  private read(tenantId: string, id: string): Task | undefined {
    const row = this.db
      .query<{ task: string }, [string, string]>(
        "SELECT task FROM tasks WHERE tenant_id = ? AND id = ?",
      )
      .get(tenantId, id);
    return row ? JSON.parse(row.task) : undefined;
  }
}
