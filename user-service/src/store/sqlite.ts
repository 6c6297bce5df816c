import { SQLiteError } from "bun:sqlite";
import { join } from "node:path";
import type { AnyMeshEvent } from "@event-mesh/contracts";
import {
  appendSqlite,
  checkSqlite,
  type ErasureRecord,
  provisionedSqlite,
  refuseErasedSqlite,
  rememberSqlite,
  SqliteProducerStore,
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
import { republishUsers, tenantsWithUsers } from "./sqlite-reconcile.ts";
import { newUser, patchedUser, toUser, type UserRow } from "./user-row.ts";

/** The tables of user-service with a tenant's rows, erased with it. */
const ERASED = ["users", "tenants"] as const;

/** The file's tables: outbox-kit's, then these (users, tenants; e-mail unique case-blind). */
export const USER_SQLITE_MIGRATIONS = {
  name: "user-service",
  dir: join(import.meta.dir, "..", "..", "migrations", "sqlite"),
};

const isUniqueViolation = (error: unknown) =>
  error instanceof SQLiteError && error.code === "SQLITE_CONSTRAINT_UNIQUE";

/**
 * Users and their outbox in one SQLite file (WAL). bun:sqlite is synchronous, so each
 * transaction below runs without interleaving with other requests of this process.
 */
export class SqliteUserStore extends SqliteProducerStore implements UserStore {
  constructor(path: string) {
    super(path, USER_SQLITE_MIGRATIONS);
  }

  async create(
    tenantId: string,
    input: { email: string; name: string },
    idempotency?: IdempotentRequest,
  ): Promise<CreateResult> {
    return this.group.run((): CreateResult => {
      refuseErasedSqlite(this.db, tenantId);
      const now = Date.now();
      const seen = idempotency && checkSqlite(this.db, tenantId, idempotency);
      if (seen?.seen) {
        if (seen.reused) return { ok: false, reason: "key_reused" };
        return { ok: true, status: seen.status, body: seen.body, replayed: true };
      }
      const user = newUser(tenantId, input, new Date(now).toISOString());
      try {
        this.insertUser(user);
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
        throw error;
      }
      this.append(userChanged("user.created", user), now);
      if (idempotency) rememberSqlite(this.db, tenantId, idempotency, { status: 201, body: user });
      return { ok: true, status: 201, body: user, replayed: false };
    });
  }

  async get(tenantId: string, id: string): Promise<User | undefined> {
    const row = this.db
      .query<UserRow, [string, string]>("SELECT * FROM users WHERE tenant_id = ? AND id = ?")
      .get(tenantId, id);
    return row ? toUser(row) : undefined;
  }

  async list(
    tenantId: string,
    options: { limit: number; after?: string | undefined },
  ): Promise<UserPage> {
    // Ids are UUIDv7, so id order is creation order and the cursor is stable under inserts.
    const rows = this.db
      .query<UserRow, [string, string, number]>(
        "SELECT * FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
      )
      .all(tenantId, options.after ?? "", options.limit + 1);
    const users = rows.slice(0, options.limit).map(toUser);
    return { users, lastId: rows.length > options.limit ? users.at(-1)?.id : undefined };
  }

  async update(
    tenantId: string,
    id: string,
    patch: { email?: string | undefined; name?: string | undefined },
  ): Promise<UpdateResult> {
    return this.group.run((): UpdateResult => {
      refuseErasedSqlite(this.db, tenantId);
      const row = this.db
        .query<UserRow, [string, string]>("SELECT * FROM users WHERE tenant_id = ? AND id = ?")
        .get(tenantId, id);
      if (!row) return { ok: false, reason: "not_found" };
      const now = Date.now();
      const current = toUser(row);
      const user = patchedUser(current, patch, new Date(now).toISOString());
      try {
        this.db
          .query(
            `UPDATE users SET email = ?, name = ?, updated_at = ?, version = ?
             WHERE tenant_id = ? AND id = ?`,
          )
          .run(user.email, user.name, user.updatedAt, user.version, tenantId, id);
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
        throw error;
      }
      this.append(userChanged("user.updated", user), now);
      return { ok: true, user };
    });
  }

  async delete(tenantId: string, id: string): Promise<number | undefined> {
    return this.group.run((): number | undefined => {
      refuseErasedSqlite(this.db, tenantId);
      const row = this.db
        .query<UserRow, [string, string]>("SELECT * FROM users WHERE tenant_id = ? AND id = ?")
        .get(tenantId, id);
      if (!row) return undefined;
      // A hard delete frees the e-mail for a new user; the event keeps the history.
      this.db.query("DELETE FROM users WHERE tenant_id = ? AND id = ?").run(tenantId, id);
      const now = Date.now();
      const event = userDeleted(toUser(row), new Date(now).toISOString());
      this.append(event, now);
      return event.version;
    });
  }

  async createTenant(tenantId: string, name: string): Promise<CreateTenantResult> {
    return this.group.run((): CreateTenantResult => {
      const tenant = { tenantId, name, createdAt: new Date().toISOString() };
      const inserted = this.db
        .query("INSERT INTO tenants VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .run(tenantId, name, tenant.createdAt);
      if (inserted.changes === 0) return { ok: false };
      provisionedSqlite(this.db, tenantId);
      this.append(tenantCreated(tenant), Date.now());
      return { ok: true, tenant };
    });
  }

  eraseTenant(tenantId: string, requestedBy: string): Promise<ErasureRecord> {
    return this.eraseTables({ tenantId, requestedBy, tables: ERASED, source: SOURCE });
  }

  async tenants(after: string | undefined, limit: number): Promise<string[]> {
    return tenantsWithUsers(this.db, after, limit);
  }

  async republish(tenantId: string, ids: readonly string[]): Promise<string[]> {
    return this.group.run(() => republishUsers(this.db, tenantId, ids));
  }

  private insertUser(user: User): void {
    this.db
      .query(
        `INSERT INTO users (tenant_id, id, email, name, created_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        user.tenantId,
        user.id,
        user.email,
        user.name,
        user.createdAt,
        user.updatedAt,
        user.version,
      );
  }

  private append(event: AnyMeshEvent, now: number): void {
    appendSqlite(this.db, event, now);
  }
}
