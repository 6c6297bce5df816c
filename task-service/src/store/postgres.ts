import { join } from "node:path";
import {
  appendPostgres,
  checkPostgres,
  migrate,
  OUTBOX_MIGRATIONS,
  orUnavailable,
  type PostgresOutbox,
  postgresOutbox,
  probePostgres,
  rememberPostgres,
} from "@event-mesh/outbox-kit";
import { SQL } from "bun";
import { taskChanged, taskDeleted } from "../tasks/events.ts";
import type {
  Change,
  CreateResult,
  IdempotentRequest,
  Task,
  TaskPage,
  TaskStore,
} from "./index.ts";

/** task-service's migrations, applied after the outbox's. */
export const TASK_MIGRATIONS = [
  OUTBOX_MIGRATIONS,
  { name: "task-service", dir: join(import.meta.dir, "..", "..", "migrations") },
];

/** Postgres store options. */
export interface PostgresStoreOptions {
  url: string;
  /** Connections of the pool. */
  poolMax: number;
  /** Relay shard rebalance period, ms. */
  rebalanceMs?: number | undefined;
}

/**
 * Tasks and their outbox in Postgres, shared by N replicas. The database must be task-service's
 * own: the outbox table and its advisory locks are per database, so a producer sharing
 * user-service's database would relay (and lock) user-service's events too. `open` refuses one.
 */
export class PostgresTaskStore implements TaskStore {
  readonly outbox: PostgresOutbox;
  private readonly sql: SQL;

  private constructor(options: PostgresStoreOptions) {
    this.sql = new SQL({ url: options.url, max: options.poolMax, connectionTimeout: 5 });
    this.outbox = postgresOutbox({
      sql: this.sql,
      url: options.url,
      rebalanceMs: options.rebalanceMs,
    });
  }

  /** Connects, checks the database is task-service's own, and applies pending migrations. */
  static async open(options: PostgresStoreOptions): Promise<PostgresTaskStore> {
    const store = new PostgresTaskStore(options);
    try {
      const [row] = await store.sql<{ users: string | null }[]>`
        SELECT to_regclass('users')::text AS users`;
      if (row?.users) {
        throw new Error(
          "this database holds user-service's tables; give task-service a database of its own (the same server is fine)",
        );
      }
      await migrate(store.sql, TASK_MIGRATIONS);
    } catch (error) {
      await store.sql.close({ timeout: 0 });
      throw error;
    }
    return store;
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

  change(tenantId: string, id: string, change: Change): Promise<Task | undefined> {
    return this.write(async (tx) => {
      // FOR UPDATE: a concurrent change of this task waits, so versions and seq stay in order.
      const [row] = await tx<{ task: Task }[]>`
        SELECT task FROM tasks WHERE tenant_id = ${tenantId} AND id = ${id} FOR UPDATE`;
      if (!row) return undefined;
      const next = change(row.task);
      if (!next) return row.task;
      await tx`UPDATE tasks SET task = ${next.task} WHERE tenant_id = ${tenantId} AND id = ${id}`;
      await appendPostgres(tx, taskChanged(next.type, next.task));
      return next.task;
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.write(async (tx) => {
      const [row] = await tx<{ task: Task }[]>`
        DELETE FROM tasks WHERE tenant_id = ${tenantId} AND id = ${id} RETURNING task`;
      if (!row) return false;
      await appendPostgres(tx, taskDeleted(row.task, new Date().toISOString()));
      return true;
    });
  }

  probeWrite(): Promise<void> {
    return orUnavailable(() => probePostgres(this.sql));
  }

  async close(): Promise<void> {
    await this.outbox.close();
    await this.sql.close({ timeout: 5 });
  }

  /** One transaction; wakes the relays after the commit. */
  private async write<T>(work: (tx: SQL) => Promise<T>): Promise<T> {
    const result = await orUnavailable(() => this.sql.begin(work));
    this.outbox.notify();
    return result;
  }
}
