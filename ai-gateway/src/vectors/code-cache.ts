import type { Database, Statement } from "bun:sqlite";
import type { CodeIndex } from "./code-index.ts";

/** Memory the cached code indexes of one database may hold, by default: 256 MiB. */
export const DEFAULT_INDEX_BYTES = 256 * 1024 * 1024;

/**
 * The in-memory code indexes (code-index.ts) of one SQLite connection, by collection and tenant,
 * least recently searched dropped first once they hold more than the cap. One per connection,
 * shared by every store on it, so that a write through any of them reaches the copy.
 *
 * A copy must never answer for codes the file no longer has, or miss codes it has:
 * - the store's own writes are applied to the copies as they are made (`put`, `drop`) and noted;
 *   a committed transaction clears the notes (`settled`), a rolled-back one drops the copies it
 *   touched (`discard`), to be read again from the file;
 * - a commit by another connection (another process on the same file: a generation build, an
 *   erase from the command line) changes SQLite's `PRAGMA data_version`: every copy is dropped
 *   before the next search.
 */
export class CodeCache {
  static readonly #byDatabase = new WeakMap<Database, CodeCache>();

  /** The cache of `db`; `capBytes` applies from this call on. */
  static of(db: Database, capBytes = DEFAULT_INDEX_BYTES): CodeCache {
    let cache = CodeCache.#byDatabase.get(db);
    if (!cache) {
      cache = new CodeCache(db);
      CodeCache.#byDatabase.set(db, cache);
    }
    cache.capBytes = capBytes;
    return cache;
  }

  /** Bytes the copies of `db` hold; 0 when it has none (no sqlite-vec store on it). */
  static bytesOf(db: Database): number {
    return CodeCache.#byDatabase.get(db)?.bytes ?? 0;
  }

  capBytes = DEFAULT_INDEX_BYTES;
  /** In least recently used order (a Map keeps insertion order; a hit is moved to the end). */
  readonly #indexes = new Map<string, CodeIndex>();
  readonly #touched = new Set<string>();
  readonly #dataVersion: Statement<{ data_version: number }, []>;
  #version: number;

  private constructor(db: Database) {
    this.#dataVersion = db.prepare("PRAGMA data_version");
    this.#version = this.#readVersion();
  }

  /** The cached index of a tenant, or null; checks first that no other connection wrote. */
  get(collection: string, tenantId: string): CodeIndex | null {
    const version = this.#readVersion();
    if (version !== this.#version) {
      this.#indexes.clear();
      this.#version = version;
    }
    const key = keyOf(collection, tenantId);
    const index = this.#indexes.get(key);
    if (!index) return null;
    this.#indexes.delete(key);
    this.#indexes.set(key, index);
    return index;
  }

  /**
   * Keeps a freshly read index, dropping the least recently used ones to stay under the cap.
   * An index larger than the whole cap is not kept (its searches read it from the file each time).
   */
  keep(collection: string, tenantId: string, index: CodeIndex): void {
    if (index.bytes > this.capBytes) return;
    this.#indexes.set(keyOf(collection, tenantId), index);
    this.#trim();
  }

  put(collection: string, tenantId: string, rowid: number, code: Uint8Array): void {
    if (this.#indexes.size === 0) return;
    const key = keyOf(collection, tenantId);
    const index = this.#indexes.get(key);
    if (!index) return;
    index.add(rowid, code);
    this.#touched.add(key);
  }

  drop(collection: string, tenantId: string, rowid: number): void {
    if (this.#indexes.size === 0) return;
    const key = keyOf(collection, tenantId);
    const index = this.#indexes.get(key);
    if (!index) return;
    index.remove(rowid);
    this.#touched.add(key);
  }

  /** Forgets a tenant's copy (its codes were all removed). */
  forget(collection: string, tenantId: string): void {
    this.#indexes.delete(keyOf(collection, tenantId));
  }

  /**
   * The transaction that made the noted changes committed: the copies match the file. Copies it
   * grew may now hold more than the cap: the least recently used go.
   */
  settled(): void {
    if (this.#touched.size === 0) return;
    this.#touched.clear();
    this.#trim();
  }

  /** The transaction rolled back: the copies it changed are dropped. */
  discard(): void {
    for (const key of this.#touched) this.#indexes.delete(key);
    this.#touched.clear();
  }

  /** Bytes the cached indexes hold. */
  get bytes(): number {
    let total = 0;
    for (const index of this.#indexes.values()) total += index.bytes;
    return total;
  }

  /** Drops the least recently used copies until the rest fit under the cap. */
  #trim(): void {
    let total = this.bytes;
    for (const [key, cached] of this.#indexes) {
      if (total <= this.capBytes) break;
      this.#indexes.delete(key);
      total -= cached.bytes;
    }
  }

  #readVersion(): number {
    return this.#dataVersion.get()?.data_version ?? 0;
  }
}

const keyOf = (collection: string, tenantId: string) => `${collection}\u0000${tenantId}`;
