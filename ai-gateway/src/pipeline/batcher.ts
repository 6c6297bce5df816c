import { FairQueue } from "./fair-queue.ts";

/** Batching bounds. */
export interface BatcherOptions<T> {
  /** Most items per batch (BATCH_MAX). */
  maxBatch: number;
  /** Longest wait for a batch to fill, from its first item, in ms (BATCH_WAIT_MS). */
  waitMs: number;
  /** Most items waiting beside the batch being processed; `submit` waits beyond it. */
  maxQueued: number;
  /**
   * The fairness key of an item (its tenant). Set → batches are filled round robin across keys
   * and a key below its share of `maxQueued` is admitted while others are held back. Unset → one
   * FIFO queue.
   */
  keyOf?: ((item: T) => string) | undefined;
}

interface Entry<T> {
  item: T;
  /** When it was queued (performance.now()). */
  at: number;
  group: Group;
}

interface Group {
  remaining: number;
  error: unknown;
  settle: (error: unknown) => void;
}

/** Thrown by `submit` once the batcher is closed. */
export class BatcherClosedError extends Error {
  override name = "BatcherClosedError";
}

/**
 * Groups items into batches of up to `maxBatch`, or whatever arrived within `waitMs`, and hands
 * them to `handler` one batch at a time. Without `keyOf`, in arrival order; with it, round robin
 * across keys (FairQueue), arrival order within a key. Memory stays bounded: `submit` waits
 * while `maxQueued` items are already waiting, which is how a source is made to pause; a key
 * holding less than its fair share (`maxQueued` / keys waiting) may still add up to that share,
 * so the queue holds at most 2 × `maxQueued` and a flood cannot lock a quiet key out.
 */
export class Batcher<T> {
  readonly #queue = new FairQueue<Entry<T>>();
  readonly #roomWaiters: (() => void)[] = [];
  #wake: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(
    private readonly handler: (items: T[]) => Promise<void>,
    private readonly options: BatcherOptions<T>,
  ) {}

  /** Items waiting for a batch. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Resolves when there is room for more items: of `key` (its fair share counts), or without a
   * key, room under `maxQueued` itself (what a source that reads one message at a time needs).
   */
  async ready(key?: string): Promise<void> {
    while (!this.#closed && this.#room(key) === 0) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    if (this.#closed) throw new BatcherClosedError("batcher closed");
  }

  /** How many items of `key` may be queued now. */
  #room(key: string | undefined): number {
    const { maxQueued } = this.options;
    const queued = this.#queue.size;
    if (queued < maxQueued) return maxQueued - queued;
    if (!this.options.keyOf || key === undefined) return 0;
    const mine = this.#queue.sizeOf(key);
    const lanes = this.#queue.lanes + (mine === 0 ? 1 : 0);
    const share = Math.max(1, Math.floor(maxQueued / lanes));
    return Math.max(0, Math.min(share - mine, 2 * maxQueued - queued));
  }

  /**
   * Queues items, never more than there is room for: a large submit (one HTTP request of
   * thousands of events) goes in as batches free room, so it cannot push the queue past
   * `maxQueued`. Resolves once every item was handled.
   */
  async submit(items: readonly T[]): Promise<void> {
    const byKey = this.#split(items);
    await this.ready(byKey.keys().next().value ?? "");
    if (items.length === 0) return;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const group: Group = {
      remaining: items.length,
      error: undefined,
      settle: (error) => (error === undefined ? resolve() : reject(error)),
    };
    let first = true;
    for (const [key, mine] of byKey) {
      for (let next = 0; next < mine.length; first = false) {
        if (!first) {
          try {
            await this.ready(key);
          } catch (error) {
            // Closed halfway: the queued part is still handled; this caller is told to retry.
            promise.catch(() => {});
            throw error;
          }
        }
        const room = Math.max(1, this.#room(key));
        const at = performance.now();
        for (const item of mine.slice(next, next + room))
          this.#queue.push(key, { item, at, group });
        next += room;
        this.#wake?.();
        this.#running ??= this.#run().finally(() => {
          this.#running = null;
          // Items may have arrived between the loop's last check and its end.
          if (this.#queue.size > 0) this.#running = this.#run();
        });
      }
    }
    return promise;
  }

  /** Items by fairness key, in arrival order within each key. */
  #split(items: readonly T[]): Map<string, T[]> {
    const keyOf = this.options.keyOf;
    if (!keyOf) return new Map([["", [...items]]]);
    const byKey = new Map<string, T[]>();
    for (const item of items) {
      const key = keyOf(item);
      const mine = byKey.get(key);
      if (mine) mine.push(item);
      else byKey.set(key, [item]);
    }
    return byKey;
  }

  /** Stops accepting items, handles what is queued, and resolves when done. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#roomWaiters.splice(0)) wake();
    this.#wake?.();
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    while (this.#queue.size > 0) {
      await this.#filled();
      const batch = this.#queue.take(this.options.maxBatch);
      for (const wake of this.#roomWaiters.splice(0)) wake();
      let error: unknown;
      try {
        await this.handler(batch.map((entry) => entry.item));
      } catch (caught) {
        error = caught ?? new Error("batch failed");
      }
      for (const { group } of batch) {
        if (error !== undefined) group.error ??= error;
        if (--group.remaining === 0) group.settle(group.error);
      }
      // A store answering synchronously (SQLite) turns a backlog into one chain of microtasks:
      // let I/O in between batches, or no request (a search, another tenant's event) is even
      // read until the backlog is drained.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Waits until the batch is full, `waitMs` passed since its first item, or the batcher closes. */
  async #filled(): Promise<void> {
    const oldest = Math.min(...this.#queue.heads().map((entry) => entry.at));
    const deadline = (Number.isFinite(oldest) ? oldest : performance.now()) + this.options.waitMs;
    while (!this.#closed && this.#queue.size < this.options.maxBatch) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const self = this;
        function done() {
          clearTimeout(timer);
          self.#wake = null;
          resolve();
        }
        this.#wake = done;
      });
    }
  }
}
