import type { Database } from "bun:sqlite";
import { signCode } from "./sign-code.ts";
import { WordPrefixes } from "./sqlite-vec-words.ts";

/** Whether a table (or index, view, trigger) of that name exists. */
export const tableExists = (db: Database, name: string) =>
  db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== null;

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
  const exists = (name: string) => tableExists(db, name);
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
  if (!tableExists(db, `keywords_${c}`)) return 0;
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

/**
 * Converts the code tables of the layouts before this one into `tenant_codes_<c>` (which must
 * exist), inside the caller's transaction:
 * - `small_codes_<c>` (small tenants' codes) is the same table under its old name;
 * - `codes_<c>`, a sqlite-vec `vec0` table partitioned by tenant, with `partitioned_<c>` listing
 *   its tenants: their codes are made again from the float vectors (a `vec0` table read in full
 *   took about 58 µs a row; this takes about 10 µs a code, 100,000 in 1.0 s), and both tables
 *   are dropped.
 */
export function migrateCodeTables(db: Database, c: string): void {
  const exists = (name: string) => tableExists(db, name);
  if (exists(`small_codes_${c}`)) {
    db.run(`INSERT OR IGNORE INTO tenant_codes_${c} SELECT * FROM small_codes_${c}`);
    db.run(`DROP TABLE small_codes_${c}`);
  }
  if (!exists(`codes_${c}`)) return;
  // The vec0-only layout had no partitioned_<c>: every live point's code was in codes_<c>.
  const tenants = exists(`partitioned_${c}`)
    ? `SELECT tenant_id FROM partitioned_${c}`
    : `SELECT DISTINCT tenant_id FROM points_${c} WHERE deleted = 0`;
  const vectors = db.query<{ tenant_id: string; rowid: number; embedding: Uint8Array }, []>(
    `SELECT p.tenant_id AS tenant_id, v.rowid AS rowid, v.embedding AS embedding
     FROM points_${c} p LEFT JOIN chunks_${c} ch ON ch.point_rowid = p.rowid
     JOIN vectors_${c} v ON v.rowid = coalesce(ch.rowid, p.rowid)
     WHERE p.deleted = 0 AND p.tenant_id IN (${tenants})`,
  );
  const put = db.prepare(
    `INSERT OR IGNORE INTO tenant_codes_${c} (tenant_id, rowid, code) VALUES (?, ?, ?)`,
  );
  for (const row of vectors.iterate()) {
    // Copied: the blob's bytes need not be aligned for a Float32Array view.
    put.run(row.tenant_id, row.rowid, signCode(new Float32Array(row.embedding.slice().buffer)));
  }
  db.run(`DROP TABLE codes_${c}`);
  db.run(`DROP TABLE IF EXISTS partitioned_${c}`);
}
