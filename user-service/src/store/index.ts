import type { StoredEvent } from "../sink/index.ts";

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

/** A remembered answer to an `Idempotency-Key`. */
export interface IdempotentRequest {
  /** The client's key, unique per tenant. */
  key: string;
  /** Hash of the request body, to tell a replay from a reuse with another body. */
  hash: string;
}

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

/** An outbox row: an event waiting for the sink. */
export interface OutboxRow {
  /** Commit order; the relay sends rows in this order. */
  seq: number;
  /** The event's CloudEvents JSON, as written with the change. */
  event: StoredEvent;
}

/**
 * The transactional outbox: events written with their change, read and removed by the relay
 * only after the sink acknowledged them.
 */
export interface Outbox {
  /** Up to `limit` oldest rows, in sequence order. */
  peek(limit: number): Promise<OutboxRow[]>;
  /** Removes rows the sink acknowledged (a batch `peek` returned). */
  remove(rows: readonly OutboxRow[]): Promise<void>;
  /** How many rows wait, and when the oldest was written (ms since epoch). */
  depth(): Promise<{ count: number; oldestAt: number | undefined }>;
  /** Resolves once a row is committed after `since` (a value of `version()`), or on abort. */
  changed(since: number, signal: AbortSignal): Promise<void>;
  /** Counter bumped after every commit that wrote outbox rows. */
  version(): number;
}

/**
 * The users of every tenant. Every change writes the user and its event in one transaction;
 * a failed transaction leaves neither.
 */
export interface UserStore {
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
  /** True when the user existed (and is now gone). */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Throws when the store cannot take a write (readiness). */
  probeWrite(): Promise<void>;
  outbox: Outbox;
  close(): void;
}
