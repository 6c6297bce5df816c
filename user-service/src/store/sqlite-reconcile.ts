import type { Database } from "bun:sqlite";
import { appendSqlite } from "@event-mesh/outbox-kit";
import { userChanged } from "../users/events.ts";
import { toUser, type UserRow } from "./user-row.ts";

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
    appendSqlite(db, userChanged("user.updated", toUser(row)), Date.now());
    found.push(id);
  }
  return found;
}
