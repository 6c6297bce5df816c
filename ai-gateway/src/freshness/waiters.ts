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
  /** SEARCH_WAITERS_PER_TENANT: searches of one tenant that may wait at once; default 100. */
  maxPerTenant?: number | undefined;
  /** SEARCH_WAITERS_MAX: searches that may wait at once on this replica; default 1000. */
  maxTotal?: number | undefined;
  /** A failed re-check (store down): reported, and the waiters keep waiting until their bound. */
  onError?: (error: unknown) => void;
}

/** Why a search may not wait now: which cap is full, and its size. */
export interface WaitRefusal {
  /** The variable of the full cap. */
  limit: "SEARCH_WAITERS_PER_TENANT" | "SEARCH_WAITERS_MAX";
  max: number;
}

/** Entities asked per `versions` call, well under SQLite's bound on query parameters. */
const CHUNK = 500;

interface Waiter {
  target: FreshnessTarget;
  settle: (reached: boolean) => void;
}

/** What this replica's pipeline has just written: an entity at a version (upsert or delete). */
export interface WrittenEntity {
  collection: Collection;
  tenantId: string;
  entityId: string;
  version: number;
}

const keyOf = (e: { collection: Collection; tenantId: string; entityId: string }) =>
  `${e.collection}\n${e.tenantId}\n${e.entityId}`;

/** True when what the store holds is the target's version or a later one. */
export function reached(target: FreshnessTarget, stored: StoredVersion | undefined): boolean {
  return stored ? stored.version >= target.version : target.deleted;
}

/**
 * Searches waiting for a write to be stored. No loop per request: a new waiter is checked on its
 * own (arrivals of the same moment share one query), never by re-reading every waiter already
 * pending. When this replica's pipeline stores a batch it names what it wrote (`stored`): the
 * waiters of those entities are answered from memory, with no query (a write the store dropped
 * as stale had a newer version stored already, which reaches the target too). All pending
 * waiters are re-checked together (one `versions` query per collection and tenant) every
 * `recheckMs` while any waits, which finds what another replica sharing the store wrote. Checks never overlap; what is asked for during one runs right after it. How many may
 * wait is capped per tenant and per replica, so that waiting costs stay bounded whatever clients
 * send.
 */
export class FreshnessWaiters {
  readonly #pending = new Set<Waiter>();
  /** The pending waiters by entity (keyOf), for `stored`. */
  readonly #byEntity = new Map<string, Set<Waiter>>();
  /** Waiters not checked since they arrived. */
  readonly #arrived = new Set<Waiter>();
  readonly #perTenant = new Map<string, number>();
  readonly #store: Pick<VectorStore, "versions">;
  readonly #options: WaitersOptions;
  readonly #maxPerTenant: number;
  readonly #maxTotal: number;
  #running: Promise<void> | null = null;
  #again = false;
  #ticker: ReturnType<typeof setInterval> | null = null;

  constructor(store: Pick<VectorStore, "versions">, options: WaitersOptions) {
    this.#store = store;
    this.#options = options;
    this.#maxPerTenant = options.maxPerTenant ?? 100;
    this.#maxTotal = options.maxTotal ?? 1000;
  }

  /** Waiting searches, for tests and metrics. */
  get size(): number {
    return this.#pending.size;
  }

  /** Null when a search of `tenantId` may wait now; else the cap that is full. */
  refusal(tenantId: string): WaitRefusal | null {
    if ((this.#perTenant.get(tenantId) ?? 0) >= this.#maxPerTenant)
      return { limit: "SEARCH_WAITERS_PER_TENANT", max: this.#maxPerTenant };
    if (this.#pending.size >= this.#maxTotal)
      return { limit: "SEARCH_WAITERS_MAX", max: this.#maxTotal };
    return null;
  }

  /**
   * Resolves true once the target is stored, false at the bound or when `signal` aborts. Check
   * `refusal` first: `wait` itself does not enforce the caps.
   */
  wait(target: FreshnessTarget, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.settle(false), this.#options.maxWaitMs);
      const abort = () => waiter.settle(false);
      const { tenantId } = target;
      const waiter: Waiter = {
        target,
        settle: (ok) => {
          if (!this.#pending.delete(waiter)) return;
          this.#arrived.delete(waiter);
          const same = this.#byEntity.get(keyOf(target));
          same?.delete(waiter);
          if (same?.size === 0) this.#byEntity.delete(keyOf(target));
          const left = (this.#perTenant.get(tenantId) ?? 1) - 1;
          if (left > 0) this.#perTenant.set(tenantId, left);
          else this.#perTenant.delete(tenantId);
          clearTimeout(timer);
          signal?.removeEventListener("abort", abort);
          if (this.#pending.size === 0) this.#stopTicker();
          resolve(ok);
        },
      };
      this.#pending.add(waiter);
      this.#arrived.add(waiter);
      const key = keyOf(target);
      const same = this.#byEntity.get(key);
      if (same) same.add(waiter);
      else this.#byEntity.set(key, new Set([waiter]));
      this.#perTenant.set(tenantId, (this.#perTenant.get(tenantId) ?? 0) + 1);
      signal?.addEventListener("abort", abort, { once: true });
      this.#startTicker();
      this.#run();
    });
  }

  /** Re-checks every pending waiter now, in the store. Cheap when none waits. */
  notify(): void {
    if (this.#pending.size === 0) return;
    this.#again = true;
    this.#run();
  }

  /**
   * This replica stored a batch: answers the waiters of the entities it wrote at a version they
   * wait for (or later), from memory. Costs one map lookup per written entity.
   */
  stored(written: readonly WrittenEntity[]): void {
    if (this.#pending.size === 0) return;
    for (const entity of written) {
      const same = this.#byEntity.get(keyOf(entity));
      if (!same) continue;
      for (const waiter of [...same])
        if (entity.version >= waiter.target.version) waiter.settle(true);
    }
  }

  /** Answers the tenant's pending waiters "not reached" (its erase); answers how many. */
  release(tenantId: string): number {
    const mine = [...this.#pending].filter((waiter) => waiter.target.tenantId === tenantId);
    for (const waiter of mine) waiter.settle(false);
    return mine.length;
  }

  /** Answers every pending waiter "not reached" and stops re-checking (shutdown). */
  close(): void {
    for (const waiter of [...this.#pending]) waiter.settle(false);
    this.#stopTicker();
  }

  /** Runs the asked-for checks one after the other: all pending waiters, or the new arrivals. */
  #run(): void {
    if (this.#running) return;
    this.#running = (async () => {
      while (this.#again || this.#arrived.size > 0) {
        // A full re-check covers the arrivals too.
        const all = this.#again;
        const batch = all ? [...this.#pending] : [...this.#arrived];
        this.#again = false;
        this.#arrived.clear();
        await this.#check(batch);
      }
    })().finally(() => {
      this.#running = null;
      // Asked for between the loop's last test and here.
      if (this.#again || this.#arrived.size > 0) this.#run();
    });
  }

  async #check(waiters: readonly Waiter[]): Promise<void> {
    const groups = new Map<string, Waiter[]>();
    for (const waiter of waiters) {
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
