import type { Collection, StoredVersion, VectorStore } from "../vectors/index.ts";

/** A write a search waits for: this entity at this version (or later) in the store. */
export interface FreshnessTarget {
  collection: Collection;
  tenantId: string;
  entityId: string;
  version: number;
  /** A delete: an entity the store does not hold at all also satisfies it. */
  deleted: boolean;
}

/** Bounds of the waits. */
export interface WaitersOptions {
  /** SEARCH_WAIT_MAX_MS: the longest a search waits for its write. */
  maxWaitMs: number;
  /**
   * SEARCH_WAIT_RECHECK_MS: while searches wait, the store is re-read this often, so a write
   * stored by another replica (shared Qdrant) is seen too. Own batches wake waiters at once.
   */
  recheckMs: number;
  /** A failed re-check (store down): reported, and the waiters keep waiting until their bound. */
  onError?: (error: unknown) => void;
}

/** Entities asked per `versions` call, well under SQLite's bound on query parameters. */
const CHUNK = 500;

interface Waiter {
  target: FreshnessTarget;
  settle: (reached: boolean) => void;
}

/** True when what the store holds is the target's version or a later one. */
export function reached(target: FreshnessTarget, stored: StoredVersion | undefined): boolean {
  return stored ? stored.version >= target.version : target.deleted;
}

/**
 * Searches waiting for a write to be stored. No loop per request: every pending waiter of the
 * replica is checked by one shared re-check (one `versions` query per collection and tenant),
 * run when a waiter arrives, when this replica's pipeline stores a batch (`notify`), and every
 * `recheckMs` while any waiter is pending. Re-checks never overlap; one asked for during a
 * re-check runs once right after it.
 */
export class FreshnessWaiters {
  readonly #pending = new Set<Waiter>();
  readonly #store: Pick<VectorStore, "versions">;
  readonly #options: WaitersOptions;
  #running: Promise<void> | null = null;
  #again = false;
  #ticker: ReturnType<typeof setInterval> | null = null;

  constructor(store: Pick<VectorStore, "versions">, options: WaitersOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Waiting searches, for tests and metrics. */
  get size(): number {
    return this.#pending.size;
  }

  /** Resolves true once the target is stored, false at the bound or when `signal` aborts. */
  wait(target: FreshnessTarget, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.settle(false), this.#options.maxWaitMs);
      const abort = () => waiter.settle(false);
      const waiter: Waiter = {
        target,
        settle: (ok) => {
          if (!this.#pending.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener("abort", abort);
          if (this.#pending.size === 0) this.#stopTicker();
          resolve(ok);
        },
      };
      this.#pending.add(waiter);
      signal?.addEventListener("abort", abort, { once: true });
      this.#startTicker();
      this.notify();
    });
  }

  /** Re-checks every pending waiter now (a batch was stored). Cheap when none waits. */
  notify(): void {
    if (this.#pending.size === 0) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#recheck().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.notify();
      }
    });
  }

  /** Answers every pending waiter "not reached" and stops re-checking (shutdown). */
  close(): void {
    for (const waiter of [...this.#pending]) waiter.settle(false);
    this.#stopTicker();
  }

  async #recheck(): Promise<void> {
    const groups = new Map<string, Waiter[]>();
    for (const waiter of this.#pending) {
      const key = `${waiter.target.collection}\n${waiter.target.tenantId}`;
      const group = groups.get(key);
      if (group) group.push(waiter);
      else groups.set(key, [waiter]);
    }
    for (const group of groups.values()) {
      const first = group[0];
      if (!first) continue;
      const ids = [...new Set(group.map((waiter) => waiter.target.entityId))];
      try {
        for (let start = 0; start < ids.length; start += CHUNK) {
          const { collection, tenantId } = first.target;
          const chunk = ids.slice(start, start + CHUNK);
          const stored = await this.#store.versions(collection, tenantId, chunk);
          const asked = new Set(chunk);
          for (const waiter of group) {
            if (!asked.has(waiter.target.entityId)) continue;
            if (reached(waiter.target, stored.get(waiter.target.entityId))) waiter.settle(true);
          }
        }
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
  }

  #startTicker(): void {
    if (this.#ticker) return;
    this.#ticker = setInterval(() => this.notify(), this.#options.recheckMs);
    this.#ticker.unref?.();
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }
}
