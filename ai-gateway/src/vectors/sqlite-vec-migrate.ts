import type { Database } from "bun:sqlite";
import { WordPrefixes } from "./sqlite-vec-words.ts";

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

/**
 * Converts a collection's keyword index of the previous layout (`keywords_<c>`: a column holding
 * the tenant's token `t<tenant id in hex>` beside the text) to `words_<c>`, whose words carry
 * their tenant's prefix (sqlite-vec-words.ts). FTS5 kept no text (contentless), so each row's
 * words are read back from the index itself, in their order (`fts5vocab` instances). Runs inside
 * the caller's transaction, after `words_<c>` and `word_tenants_<c>` exist; a no-op when there is
 * no old index. Returns the rows converted.
 */
export function migrateKeywordIndex(db: Database, c: string): number {
  const exists = db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(`keywords_${c}`);
  if (exists === null) return 0;
  db.run(`CREATE VIRTUAL TABLE temp.old_words_${c} USING fts5vocab(main, keywords_${c}, instance)`);
  // The tenant token of each row, keyed by rowid (the vocabulary table has no index by row).
  db.run(`CREATE TEMP TABLE old_tenants_${c} (doc INTEGER PRIMARY KEY, term TEXT NOT NULL)`);
  db.run(
    `INSERT OR IGNORE INTO old_tenants_${c} SELECT doc, term FROM temp.old_words_${c}
     WHERE col = 'tenant'`,
  );
  // Each old tenant token's new prefix: its tenant id (the token is `t` and the id in hex) gets
  // a number, as a write would give it.
  db.run(`CREATE TEMP TABLE old_prefixes_${c} (term TEXT PRIMARY KEY, prefix TEXT NOT NULL)`);
  const prefixes = new WordPrefixes(db, c);
  const terms = db
    .query<{ term: string }, []>(`SELECT DISTINCT term FROM old_tenants_${c}`)
    .all()
    .map((row) => row.term);
  const setPrefix = db.prepare(`INSERT INTO old_prefixes_${c} VALUES (?, ?)`);
  for (const term of terms) {
    const tenantId = Buffer.from(term.slice(1), "hex").toString("utf8");
    setPrefix.run(term, prefixes.ensure(tenantId));
  }
  const converted = db.run(
    `INSERT INTO words_${c} (rowid, text)
     SELECT w.doc, group_concat(p.prefix || w.term, ' ' ORDER BY w.offset)
     FROM temp.old_words_${c} w JOIN old_tenants_${c} t ON t.doc = w.doc
     JOIN old_prefixes_${c} p ON p.term = t.term
     WHERE w.col = 'text' GROUP BY w.doc`,
  ).changes;
  for (const table of [`old_prefixes_${c}`, `old_tenants_${c}`, `old_words_${c}`])
    db.run(`DROP TABLE temp.${table}`);
  db.run(`DROP TABLE keywords_${c}`);
  return converted;
}
