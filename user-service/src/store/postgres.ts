import { join } from "node:path";
import {
  appendPostgres,
  checkPostgres,
  type ErasureRecord,
  isUniqueViolation,
  orUnavailable,
  outboxRow,
  PostgresProducerStore,
  type PostgresStoreOptions,
  producerMigrations,
  provisionedPostgres,
  rememberPostgres,
} from "@event-mesh/outbox-kit";
import { tenantCreated } from "../admin/events.ts";
import { SOURCE, userChanged, userDeleted } from "../users/events.ts";
import type {
  CreateResult,
  CreateTenantResult,
  IdempotentRequest,
  UpdateResult,
  User,
  UserPage,
  UserStore,
} from "./index.ts";
import { CreateBatcher } from "./postgres-batch.ts";
import { newUser, patchedUser, toUser, type UserRow } from "./user-row.ts";

/** user-service's migrations, applied after the outbox's. */
export const USER_MIGRATIONS = producerMigrations(
  "user-service",
  join(import.meta.dir, "..", "..", "migrations"),
);

/**
 * Users and their outbox in Postgres, shared by N replicas. Each change is one transaction:
 * the user row, the idempotency answer and the outbox row commit together or not at all.
 */
export class PostgresUserStore extends PostgresProducerStore implements UserStore {
  private readonly batcher: CreateBatcher;

  private constructor(options: PostgresStoreOptions) {
    super(options);
    this.batcher = new CreateBatcher(this.sql, (user) => this.insertOne(user));
  }

  /** Connects and applies pending migrations (under an advisory lock). */
  static open(options: PostgresStoreOptions): Promise<PostgresUserStore> {
    return PostgresProducerStore.prepare(new PostgresUserStore(options), USER_MIGRATIONS);
  }

  create(
    tenantId: string,
    input: { email: string; name: string },
    idempotency?: IdempotentRequest,
  ): Promise<CreateResult> {
    if (!idempotency) return this.createOnce(tenantId, input);
    return this.write(async (tx): Promise<CreateResult> => {
      const seen = await checkPostgres(tx, tenantId, idempotency);
      if (seen.seen) {
        if (seen.reused) return { ok: false, reason: "key_reused" };
        return { ok: true, status: seen.status, body: seen.body, replayed: true };
      }
      const user = newUser(tenantId, input);
      await tx`INSERT INTO users (tenant_id, id, email, name, created_at, updated_at, version)
               VALUES (${tenantId}, ${user.id}, ${user.email}, ${user.name}, ${user.createdAt},
                       ${user.updatedAt}, 1)`;
      await appendPostgres(tx, userChanged("user.created", user));
      await rememberPostgres(tx, tenantId, idempotency, { status: 201, body: user });
      return { ok: true, status: 201, body: user, replayed: false };
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" } as const;
      throw error;
    });
  }

  /**
   * A create without an Idempotency-Key: the user row and its outbox row in one statement,
   * which Postgres runs as one transaction — one round trip instead of four (BEGIN, two
   * INSERTs, COMMIT). A taken e-mail fails the whole statement: neither row is written.
   */
  private async createOnce(
    tenantId: string,
    input: { email: string; name: string },
  ): Promise<CreateResult> {
    const user = newUser(tenantId, input);
    try {
      await orUnavailable(() => this.batcher.add(user));
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
      throw error;
    }
    this.outbox.notify();
    return { ok: true, status: 201, body: user, replayed: false };
  }

  private async insertOne(user: User): Promise<void> {
    await this.sql`
          WITH created AS (
            INSERT INTO users (tenant_id, id, email, name, created_at, updated_at, version)
            VALUES (${user.tenantId}, ${user.id}, ${user.email}, ${user.name}, ${user.createdAt},
                    ${user.updatedAt}, 1)
          )
          INSERT INTO outbox ${this.sql(outboxRow(userChanged("user.created", user)))}`;
  }

  get(tenantId: string, id: string): Promise<User | undefined> {
    return orUnavailable(async () => {
      const [row] = await this.sql<UserRow[]>`
        SELECT * FROM users WHERE tenant_id = ${tenantId} AND id = ${id}`;
      return row ? toUser(row) : undefined;
    });
  }

  list(
    tenantId: string,
    options: { limit: number; after?: string | undefined },
  ): Promise<UserPage> {
    return orUnavailable(async () => {
      const rows = await this.sql<UserRow[]>`
        SELECT * FROM users WHERE tenant_id = ${tenantId} AND id > ${options.after ?? ""}
        ORDER BY id LIMIT ${options.limit + 1}`;
      const users = rows.slice(0, options.limit).map(toUser);
      return { users, lastId: rows.length > options.limit ? users.at(-1)?.id : undefined };
    });
  }

  update(
    tenantId: string,
    id: string,
    patch: { email?: string | undefined; name?: string | undefined },
  ): Promise<UpdateResult> {
    return this.write(async (tx): Promise<UpdateResult> => {
      // FOR UPDATE: a concurrent change of this user waits, so versions and seq stay in order.
      const [row] = await tx<UserRow[]>`
        SELECT * FROM users WHERE tenant_id = ${tenantId} AND id = ${id} FOR UPDATE`;
      if (!row) return { ok: false, reason: "not_found" };
      const current = toUser(row);
      const user = patchedUser(current, patch);
      await tx`UPDATE users SET email = ${user.email}, name = ${user.name},
               updated_at = ${user.updatedAt}, version = ${user.version}
               WHERE tenant_id = ${tenantId} AND id = ${id}`;
      await appendPostgres(tx, userChanged("user.updated", user));
      return { ok: true, user };
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" } as const;
      throw error;
    });
  }

  delete(tenantId: string, id: string): Promise<number | undefined> {
    return this.write(async (tx) => {
      const [row] = await tx<UserRow[]>`
        DELETE FROM users WHERE tenant_id = ${tenantId} AND id = ${id} RETURNING *`;
      if (!row) return undefined;
      const event = userDeleted(toUser(row), new Date().toISOString());
      await appendPostgres(tx, event);
      return event.version;
    });
  }

  createTenant(tenantId: string, name: string): Promise<CreateTenantResult> {
    return this.write(async (tx): Promise<CreateTenantResult> => {
      const [row] = await tx<{ created_at: Date }[]>`
        INSERT INTO tenants (tenant_id, name) VALUES (${tenantId}, ${name})
        ON CONFLICT DO NOTHING RETURNING created_at`;
      if (!row) return { ok: false };
      await provisionedPostgres(tx, tenantId);
      const tenant = { tenantId, name, createdAt: row.created_at.toISOString() };
      await appendPostgres(tx, tenantCreated(tenant));
      return { ok: true, tenant };
    });
  }

  eraseTenant(tenantId: string, requestedBy: string): Promise<ErasureRecord> {
    return this.eraseTables(tenantId, requestedBy, ["users", "tenants"], SOURCE);
  }

  tenants(after: string | undefined, limit: number): Promise<string[]> {
    return orUnavailable(async () => {
      const rows = await this.sql<{ t: string }[]>`
        SELECT DISTINCT tenant_id AS t FROM users WHERE tenant_id > ${after ?? ""}
        ORDER BY 1 LIMIT ${limit}`;
      return rows.map((row) => row.t);
    });
  }

  republish(tenantId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.write(async (tx) => {
      // FOR SHARE: a concurrent update waits, so the republished version is the current one.
      const rows = await tx<UserRow[]>`
        SELECT * FROM users WHERE tenant_id = ${tenantId} AND id IN ${tx([...ids])}
        ORDER BY id FOR SHARE`;
      for (const row of rows) await appendPostgres(tx, userChanged("user.updated", toUser(row)));
      return rows.map((row) => row.id);
    });
  }
}
