/** Backoff bounds. */
export interface BackoffOptions {
  /** Delay scale of the first retry, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
}

/**
 * Capped exponential backoff with full jitter: a uniform delay in [0, min(max, base·2^attempt)).
 * Full jitter spreads retries of many clients apart (AWS architecture blog, "Exponential
 * Backoff and Jitter"). `attempt` starts at 0.
 */
export function nextDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or less if `signal` aborts first. Resolves either way; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Resolves `true` once `work` settles, or `false` after `ms` if it has not (its timer cleared
 * either way); a rejection of `work` within `ms` rejects.
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one retry runner of the project: counts failed attempts since the last success and waits
 * the capped, jittered delay of the next (or longer, when the failure asked for it: a
 * Retry-After). Loops that run forever (a relay, a consumer that reopens) call `failed` and
 * `succeeded` themselves; work that runs until it succeeds once uses `retry` below.
 */
export class Retrier {
  #attempt = 0;

  constructor(
    private readonly backoff: BackoffOptions,
    private readonly signal?: AbortSignal | undefined,
  ) {}

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** A success: the next failure waits the shortest delay again. */
  succeeded(): void {
    this.#attempt = 0;
  }

  /** The delay the next failure waits (at least `hintedMs`), counted as an attempt. */
  nextDelay(hintedMs = 0): number {
    return Math.max(hintedMs, nextDelay(this.#attempt++, this.backoff));
  }

  /** A failure: waits the next delay (cut short by the signal); resolves with the delay. */
  async failed(hintedMs = 0): Promise<number> {
    const delayMs = this.nextDelay(hintedMs);
    await sleep(delayMs, this.signal);
    return delayMs;
  }
}

/** How `retry` reports and paces. */
export interface RetryOptions {
  backoff: BackoffOptions;
  /** Ends the retries: `retry` then throws `stopped()`. */
  signal?: AbortSignal | undefined;
  /** What to throw when the signal ended the retries. */
  stopped?: () => Error;
  /** A delay the failure asks for (Retry-After), in ms; the longer of it and the backoff wins. */
  hintedMs?: (error: unknown) => number;
  /** Told about each failure before the wait: the attempt (1 for the first) and the delay. */
  onFailure?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `work` until it succeeds, waiting the backoff between failures. */
export async function retry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const retrier = new Retrier(options.backoff, options.signal);
  for (;;) {
    if (options.signal?.aborted) throw options.stopped?.() ?? new Error("retry stopped");
    try {
      return await work();
    } catch (error) {
      const delayMs = retrier.nextDelay(options.hintedMs?.(error) ?? 0);
      options.onFailure?.(error, retrier.attempts, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
