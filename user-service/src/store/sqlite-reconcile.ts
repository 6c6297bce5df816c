import type { Database } from "bun:sqlite";
import { appendSqlite } from "@event-mesh/outbox-kit";
import { userChanged } from "../users/events.ts";

interface UserRow {
  tenant_id: string;
  id: string;
  email: string;
  name: string;
  created_at: string;
  updated_at: string;
  version: number;
}

/** Up to `limit` tenants that have users, after `after`, ascending (reconciliation). */
export function tenantsWithUsers(db: Database, after: string | undefined, limit: number): string[] {
  return db
    .query<{ t: string }, [string, number]>(
      "SELECT DISTINCT tenant_id AS t FROM users WHERE tenant_id > ? ORDER BY 1 LIMIT ?",
    )
    .all(after ?? "", limit)
    .map((row) => row.t);
}

/**
 * Appends `user.updated` with the current state and version of each existing user of `ids`;
 * run it inside the store's write transaction. Answers the ids found.
 */
export function republishUsers(db: Database, tenantId: string, ids: readonly string[]): string[] {
  const read = db.query<UserRow, [string, string]>(
    "SELECT * FROM users WHERE tenant_id = ? AND id = ?",
  );
  const found: string[] = [];
  for (const id of ids) {
    const row = read.get(tenantId, id);
    if (!row) continue;
    const user = {
      id: row.id,
      tenantId: row.tenant_id,
      email: row.email,
      name: row.name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    };
    appendSqlite(db, userChanged("user.updated", user), Date.now());
    found.push(id);
  }
  return found;
}
