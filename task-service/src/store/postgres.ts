import { join } from "node:path";
import {
  appendPostgres,
  checkPostgres,
  type ErasureRecord,
  orUnavailable,
  PostgresProducerStore,
  type PostgresStoreOptions,
  producerMigrations,
  rememberPostgres,
} from "@event-mesh/outbox-kit";
import type { SQL } from "bun";
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

/** task-service's migrations, applied after the outbox's: `task-service/migrations/*.sql`. */
export const TASK_MIGRATIONS = producerMigrations(
  "task-service",
  join(import.meta.dir, "../../migrations"),
);

/** user-service's tables in the database mean it is shared: refuse before migrating into it. */
async function refuseShared(sql: SQL): Promise<void> {
  const [row] = await sql<{ users: string | null }[]>`SELECT to_regclass('users')::text AS users`;
  if (row?.users) {
    throw new Error(
      "this database holds user-service's tables; give task-service a database of its own (the same server is fine)",
    );
  }
}

/**
 * Tasks and their outbox in Postgres, shared by N replicas. The database must be task-service's
 * own: the outbox table and its advisory locks are per database, so a producer sharing
 * user-service's database would relay (and lock) user-service's events too. `open` refuses one.
 */
export class PostgresTaskStore extends PostgresProducerStore implements TaskStore {
  /** Connects, checks the database is task-service's own, and applies pending migrations. */
  static open(options: PostgresStoreOptions): Promise<PostgresTaskStore> {
    return PostgresProducerStore.prepare(
      new PostgresTaskStore(options),
      TASK_MIGRATIONS,
      refuseShared,
    );
  }

  create(tenantId: string, task: Task, idempotency?: IdempotentRequest): Promise<CreateResult> {
    return this.write(async (tx): Promise<CreateResult> => {
      const seen = idempotency && (await checkPostgres(tx, tenantId, idempotency));
      if (seen?.seen) {
        if (seen.reused) return { ok: false, reason: "key_reused" };
        return { ok: true, status: seen.status, body: seen.body, replayed: true };
      }
      await tx`INSERT INTO tasks (tenant_id, id, task) VALUES (${tenantId}, ${task.id}, ${task})`;
      await appendPostgres(tx, taskChanged("task.created", task));
      if (idempotency)
        await rememberPostgres(tx, tenantId, idempotency, { status: 201, body: task });
      return { ok: true, status: 201, body: task, replayed: false };
    });
  }

  get(tenantId: string, id: string): Promise<Task | undefined> {
    return orUnavailable(async () => {
      const [row] = await this.sql<{ task: Task }[]>`
        SELECT task FROM tasks WHERE tenant_id = ${tenantId} AND id = ${id}`;
      return row?.task;
    });
  }

  list(
    tenantId: string,
    options: { limit: number; after?: string | undefined },
  ): Promise<TaskPage> {
    return orUnavailable(async () => {
      const rows = await this.sql<{ task: Task }[]>`
        SELECT task FROM tasks WHERE tenant_id = ${tenantId} AND id > ${options.after ?? ""}
        ORDER BY id LIMIT ${options.limit + 1}`;
      const tasks = rows.slice(0, options.limit).map((row) => row.task);
      return { tasks, lastId: rows.length > options.limit ? tasks.at(-1)?.id : undefined };
    });
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
    return this.write(async (tx) => {
      // FOR UPDATE: a concurrent change of this task waits, so versions and seq stay in order.
      const [row] = await tx<{ task: Task }[]>`
        SELECT task FROM tasks WHERE tenant_id = ${tenantId} AND id = ${id} FOR UPDATE`;
      const { answer, write } = decideChange(row?.task, change);
      if (write) {
        await tx`UPDATE tasks SET task = ${write.task} WHERE tenant_id = ${tenantId} AND id = ${id}`;
        await appendPostgres(tx, taskChanged(write.type, write.task));
      }
      return answer;
    });
  }

  eraseTenant(tenantId: string, requestedBy: string): Promise<ErasureRecord> {
    // user-service sends tenant.deleted; task-service erases its own rows only.
    return this.eraseTables(tenantId, requestedBy, ["tasks"], null);
  }

  tenants(after: string | undefined, limit: number): Promise<string[]> {
    return orUnavailable(async () => {
      const rows = await this.sql<{ t: string }[]>`
        SELECT DISTINCT tenant_id AS t FROM tasks WHERE tenant_id > ${after ?? ""}
        ORDER BY 1 LIMIT ${limit}`;
      return rows.map((row) => row.t);
    });
  }

  republish(tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.write(async (tx) => {
      // FOR SHARE: a concurrent change waits, so the republished version is the current one.
      const rows = await tx<{ id: string; task: Task }[]>`
        SELECT id, task FROM tasks WHERE tenant_id = ${tenantId} AND id IN ${tx([...ids])}
        ORDER BY id FOR SHARE`;
      for (const row of rows) await appendPostgres(tx, taskChanged("task.updated", row.task));
      return rows.map((row) => row.id);
    });
  }

  delete(tenantId: string, id: string): Promise<number | undefined> {
    return this.write(async (tx) => {
      const [row] = await tx<{ task: Task }[]>`
        DELETE FROM tasks WHERE tenant_id = ${tenantId} AND id = ${id} RETURNING task`;
      if (!row) return undefined;
      const event = taskDeleted(row.task, new Date().toISOString());
      await appendPostgres(tx, event);
      return event.version;
    });
  }
}
