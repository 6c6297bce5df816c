import type { Database } from "bun:sqlite";

/**
 * The gateway's erase records (erasure/eraser.ts). Created by whoever opens the file first: the
 * usage tally reads it too, to leave out the increments of an erased tenant that its topic
 * still delivers after the erase.
 */
export function createErasureTable(db: Database): void {
  db.run(`CREATE TABLE IF NOT EXISTS gateway_erasures (
    tenant_id TEXT PRIMARY KEY, requested_by TEXT NOT NULL, requested_at TEXT NOT NULL,
    finished_at TEXT, counts TEXT NOT NULL, provisioned_at TEXT) WITHOUT ROWID`);
}
