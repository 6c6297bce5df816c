// The tenants' own words in the sqlite-vec keyword index (`words_<c>`).
import type { Database, Statement } from "bun:sqlite";
import type { Collection } from "./index.ts";
import { tokenize } from "./keywords.ts";

/** The word prefix of tenant number `n`. */
const prefixOf = (n: number) => `t${n}x`;

/**
 * Each tenant's words in `words_<c>` carry a prefix of its own, `t<n>x`: `n` is the tenant's
 * number in `word_tenants_<c>` (never reused), and `x`, which no digit is, ends it. So each tenant
 * has words of its own: a query reads only the tenant's posting lists (not every tenant's,
 * intersected with the tenant's), and a word's BM25 weight (IDF) counts the tenant's own texts,
 * so no score tells a tenant how often a word appears in another tenant's data. A number, not
 * the tenant id itself, keeps the words short: FTS5's cost grows with their length.
 */
export class WordPrefixes {
  readonly #find: Statement<{ n: number }, [string]>;
  readonly #add: Statement<unknown, [string]>;
  readonly #drop: Statement<unknown, [string]>;

  constructor(db: Database, c: Collection) {
    this.#find = db.prepare(`SELECT n FROM word_tenants_${c} WHERE tenant_id = ?`);
    this.#add = db.prepare(`INSERT OR IGNORE INTO word_tenants_${c} (tenant_id) VALUES (?)`);
    this.#drop = db.prepare(`DELETE FROM word_tenants_${c} WHERE tenant_id = ?`);
  }

  /** The tenant's prefix, or null when it has no words here. */
  find(tenantId: string): string | null {
    const row = this.#find.get(tenantId);
    return row ? prefixOf(row.n) : null;
  }

  /** The tenant's prefix, given one when it has none (inside the caller's write transaction). */
  ensure(tenantId: string): string {
    const known = this.find(tenantId);
    if (known !== null) return known;
    this.#add.run(tenantId);
    const prefix = this.find(tenantId);
    if (prefix === null) throw new Error(`no word prefix for a tenant just given one`);
    return prefix;
  }

  /**
   * A lookup for one write's transaction: each tenant's prefix read (or made) once. Not kept
   * across writes: a prefix made in a transaction that rolls back was never stored.
   */
  forBatch(): (tenantId: string) => string {
    const known = new Map<string, string>();
    return (tenantId) => {
      const found = known.get(tenantId);
      if (found !== undefined) return found;
      const prefix = this.ensure(tenantId);
      known.set(tenantId, prefix);
      return prefix;
    };
  }

  /** Forgets an erased tenant (its words are gone): nothing of its id stays in the file. */
  forget(tenantId: string): void {
    this.#drop.run(tenantId);
  }
}

/** Creates a collection's table of tenant numbers when missing. */
export function createWordTenants(db: Database, c: Collection): void {
  db.run(`CREATE TABLE IF NOT EXISTS word_tenants_${c} (
    n INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL UNIQUE)`);
}

/** A text as `words_<c>` indexes it: its words (keywords.ts), each after the tenant's prefix. */
export function prefixedWords(prefix: string, text: string): string {
  return tokenize(text)
    .map((word) => prefix + word)
    .join(" ");
}
