import type { ErasableStore, IdempotentRequest, Outbox } from "@event-mesh/outbox-kit";

export type { IdempotentRequest, Outbox } from "@event-mesh/outbox-kit";

/** A user as the API returns it. */
export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** 1 on creation, +1 with each change; equals the version of the user's last event. */
  version: number;
}

/** A tenant, as provisioned by an operator. */
export interface Tenant {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** Outcome of provisioning a tenant: `ok: false` when the tenant id is taken. */
export type CreateTenantResult = { ok: true; tenant: Tenant } | { ok: false };

/** Outcome of a create. */
export type CreateResult =
  | { ok: true; status: number; body: unknown; replayed: boolean }
  | { ok: false; reason: "email_taken" | "key_reused" };

/** Outcome of an update. */
export type UpdateResult =
  | { ok: true; user: User }
  | { ok: false; reason: "not_found" | "email_taken" };

/** One page of users, oldest first. */
export interface UserPage {
  users: User[];
  /** Id of the last user on the page when more may follow. */
  lastId: string | undefined;
}

/**
 * The users of every tenant. Every change writes the user and its event in one transaction;
 * a failed transaction leaves neither.
 */
export interface UserStore extends ErasableStore {
  create(
    tenantId: string,
    input: { email: string; name: string },
    idempotency?: IdempotentRequest,
  ): Promise<CreateResult>;
  get(tenantId: string, id: string): Promise<User | undefined>;
  list(tenantId: string, options: { limit: number; after?: string | undefined }): Promise<UserPage>;
  update(
    tenantId: string,
    id: string,
    patch: { email?: string | undefined; name?: string | undefined },
  ): Promise<UpdateResult>;
  /** The version of the delete (one past the user's last) when the user existed; else undefined. */
  delete(tenantId: string, id: string): Promise<number | undefined>;
  /**
   * Provisions a tenant and writes `tenant.created`, in one transaction; an erased tenant is
   * provisioned again (its writes are taken again).
   */
  createTenant(tenantId: string, name: string): Promise<CreateTenantResult>;
  /** Up to `limit` tenants that have users, after `after`, ascending (reconciliation). */
  tenants(after: string | undefined, limit: number): Promise<string[]>;
  /**
   * Writes a `user.updated` event with the current state and version of each existing user of
   * `ids` to the outbox, in one transaction (reconciliation repair); answers the ids found.
   */
  republish(tenantId: string, ids: readonly string[]): Promise<string[]>;
  /** Throws when the store cannot take a write (readiness). */
  probeWrite(): Promise<void>;
  outbox: Outbox;
  close(): void | Promise<void>;
}
