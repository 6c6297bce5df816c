import type { Database } from "bun:sqlite";

/** A point of the old layout, as the new one stores it. */
export interface MigratedPoint {
  rowid: number;
  tenantId: string;
  embedding: Float32Array;
}

/**
 * Converts files of the first layout (one float32 `vec0` table `vec_<c>` per collection plus a
 * `vector_versions` ledger) to the current one. `points_<c>` must exist and be empty; `put`
 * stores the vector and its code. Runs inside the caller's transaction; a no-op on new files.
 * Returns whether it converted anything.
 */
export function migrateFloatTables<C extends string>(
  db: Database,
  collections: readonly C[],
  put: (collection: C, point: MigratedPoint) => void,
): boolean {
  const exists = (name: string) =>
    db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== null;
  if (!exists("vector_versions")) return false;
  for (const c of collections) {
    if (!exists(`vec_${c}`)) continue;
    db.run(
      `INSERT INTO points_${c} (point_id, tenant_id, version, deleted, payload)
       SELECT point_id, tenant_id, version, deleted, NULL FROM vector_versions WHERE collection = ?`,
      [c],
    );
    const rows = db
      .query<{ point_id: string; embedding: Uint8Array; payload: string }, []>(
        `SELECT point_id, embedding, payload FROM vec_${c}`,
      )
      .all();
    const rowOf = db.query<{ rowid: number; tenant_id: string }, [string]>(
      `SELECT rowid, tenant_id FROM points_${c} WHERE point_id = ?`,
    );
    const setPayload = db.query(`UPDATE points_${c} SET payload = ? WHERE rowid = ?`);
    for (const row of rows) {
      const point = rowOf.get(row.point_id);
      if (!point) continue;
      setPayload.run(row.payload, point.rowid);
      // Copied: the blob's bytes need not be aligned for a Float32Array view.
      const embedding = new Float32Array(row.embedding.slice().buffer);
      put(c, { rowid: point.rowid, tenantId: point.tenant_id, embedding });
    }
    db.run(`DROP TABLE vec_${c}`);
  }
  db.run("DROP TABLE vector_versions");
  return true;
}
