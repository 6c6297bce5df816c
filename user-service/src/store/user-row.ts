import type { User } from "./index.ts";

/** A `users` row as both stores read it (SQLite answers text timestamps, Postgres dates). */
export interface UserRow {
  tenant_id: string;
  id: string;
  email: string;
  name: string;
  created_at: string | Date;
  updated_at: string | Date;
  version: number;
}

const iso = (time: string | Date) => (typeof time === "string" ? time : time.toISOString());

export const toUser = (row: UserRow): User => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  version: row.version,
});

/** A new user, version 1, with a UUIDv7 id (creation order). */
export function newUser(
  tenantId: string,
  input: { email: string; name: string },
  time = new Date().toISOString(),
): User {
  return {
    id: Bun.randomUUIDv7(),
    tenantId,
    email: input.email,
    name: input.name,
    createdAt: time,
    updatedAt: time,
    version: 1,
  };
}

/** `current` with the patch applied, its version one up. */
export function patchedUser(
  current: User,
  patch: { email?: string | undefined; name?: string | undefined },
  time = new Date().toISOString(),
): User {
  return {
    ...current,
    email: patch.email ?? current.email,
    name: patch.name ?? current.name,
    updatedAt: time,
    version: current.version + 1,
  };
}
