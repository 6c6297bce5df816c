import type { Database } from "bun:sqlite";
import type { MeshEvent } from "@event-mesh/contracts";

/** `tenant.created` events, recorded (nothing to embed). Re-delivery is harmless. */
export class TenantLog {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS tenants (
      tenant_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, event_id TEXT NOT NULL)`);
  }

  async record(events: readonly MeshEvent<"tenant.created">[]): Promise<void> {
    const insert = this.db.query(
      "INSERT OR IGNORE INTO tenants (tenant_id, name, created_at, event_id) VALUES (?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const event of events) insert.run(event.tenantId, event.data.name, event.time, event.id);
    })();
  }

  has(tenantId: string): boolean {
    return this.db.query("SELECT 1 FROM tenants WHERE tenant_id = ?").get(tenantId) !== null;
  }
}
