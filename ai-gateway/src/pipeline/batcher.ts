/** Batching bounds. */
export interface BatcherOptions {
  /** Most items per batch (BATCH_MAX). */
  maxBatch: number;
  /** Longest wait for a batch to fill, from its first item, in ms (BATCH_WAIT_MS). */
  waitMs: number;
  /** Most items waiting beside the batch being processed; `submit` waits beyond it. */
  maxQueued: number;
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
 * them to `handler` one batch at a time, in arrival order. Memory stays bounded: `submit` waits
 * while `maxQueued` items are already waiting, which is how a source is made to pause.
 */
export class Batcher<T> {
  readonly #queue: Entry<T>[] = [];
  readonly #roomWaiters: (() => void)[] = [];
  #wake: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(
    private readonly handler: (items: T[]) => Promise<void>,
    private readonly options: BatcherOptions,
  ) {}

  /** Items waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves when there is room for more items. */
  async ready(): Promise<void> {
    while (!this.#closed && this.#queue.length >= this.options.maxQueued) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    if (this.#closed) throw new BatcherClosedError("batcher closed");
  }

  /**
   * Queues items, never more than there is room for: a large submit (one HTTP request of
   * thousands of events) goes in as batches free room, so it cannot push the queue past
   * `maxQueued`. Resolves once every item was handled.
   */
  async submit(items: readonly T[]): Promise<void> {
    await this.ready();
    if (items.length === 0) return;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const group: Group = {
      remaining: items.length,
      error: undefined,
      settle: (error) => (error === undefined ? resolve() : reject(error)),
    };
    for (let next = 0; next < items.length; ) {
      if (next > 0) {
        try {
          await this.ready();
        } catch (error) {
          // Closed halfway: the queued part is still handled; this caller is told to retry.
          promise.catch(() => {});
          throw error;
        }
      }
      const room = Math.max(1, this.options.maxQueued - this.#queue.length);
      const at = performance.now();
      for (const item of items.slice(next, next + room)) this.#queue.push({ item, at, group });
      next += room;
      this.#wake?.();
      this.#running ??= this.#run().finally(() => {
        this.#running = null;
        // Items may have arrived between the loop's last check and its end.
        if (this.#queue.length > 0) this.#running = this.#run();
      });
    }
    return promise;
  }

  /** Stops accepting items, handles what is queued, and resolves when done. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#roomWaiters.splice(0)) wake();
    this.#wake?.();
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#filled();
      const batch = this.#queue.splice(0, this.options.maxBatch);
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
    }
  }

  /** Waits until the batch is full, `waitMs` passed since its first item, or the batcher closes. */
  async #filled(): Promise<void> {
    const deadline = (this.#queue[0]?.at ?? performance.now()) + this.options.waitMs;
    while (!this.#closed && this.#queue.length < this.options.maxBatch) {
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
