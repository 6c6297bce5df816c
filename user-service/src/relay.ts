import { describeError, type Logger, nextDelay, sleep } from "@event-mesh/service-kit";
import type { EventSink } from "./sink/index.ts";
import type { Outbox } from "./store/index.ts";

/** Relay options. */
export interface RelayOptions {
  outbox: Outbox;
  sink: EventSink;
  logger: Logger;
  /** Most rows per sink call. */
  batchMax: number;
  /** Retry delays while the sink fails. */
  backoff?: { baseMs: number; maxMs: number } | undefined;
  /** Told about each acknowledged batch and each failure (metrics). */
  onSent?: ((count: number) => void) | undefined;
  onError?: (() => void) | undefined;
}

/**
 * Drains the outbox to the sink: oldest rows first, in batches, removing rows only after the
 * sink acknowledged them. A failed batch is retried as a whole with capped, jittered backoff,
 * so nothing is dropped or reordered. It sleeps until the store signals a commit: no polling.
 */
export class Relay {
  private readonly stopController = new AbortController();
  private draining = false;
  private loop: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    // A send abandoned at shutdown may finish after the store closed: log, never crash.
    this.loop ??= this.run().catch((error: unknown) => {
      this.options.logger.error({ err: describeError(error) }, "relay stopped by an error");
    });
  }

  /**
   * Sends what is left (without waiting for new rows) for up to `timeoutMs`, then stops.
   * Resolves true when the outbox was empty at the end.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    this.wake();
    if (this.loop) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.stopController.abort();
          resolve();
        }, timeoutMs);
      });
      // A send that hangs past the bound is abandoned; its rows stay and go out next start.
      await Promise.race([this.loop, expired]);
      clearTimeout(timer);
    }
    this.stopController.abort();
    return this.options.outbox.depth().count === 0;
  }

  private async run(): Promise<void> {
    const { outbox, sink, logger, batchMax } = this.options;
    const backoff = this.options.backoff ?? { baseMs: 100, maxMs: 10_000 };
    const signal = this.stopController.signal;
    let attempt = 0;
    while (!signal.aborted) {
      const seen = outbox.version();
      const rows = await outbox.peek(batchMax);
      const last = rows.at(-1);
      if (!last) {
        if (this.draining) return;
        await outbox.changed(seen, this.interruptible(signal));
        continue;
      }
      try {
        await sink.send(rows.map((row) => row.event));
      } catch (error) {
        this.options.onError?.();
        const message = describeError(error);
        const delayMs = nextDelay(attempt++, backoff);
        // Log the first failure and every change of reason, not one line per retry.
        if (message !== this.lastError) {
          logger.warn(
            { sink: sink.name, err: message, batch: rows.length, delayMs },
            "sink failed; retrying",
          );
          this.lastError = message;
        }
        await sleep(delayMs, this.interruptible(signal));
        continue;
      }
      await outbox.remove(last.seq);
      if (this.lastError) logger.info({ sink: sink.name }, "sink recovered");
      this.lastError = undefined;
      attempt = 0;
      this.options.onSent?.(rows.length);
    }
  }

  /** `signal`, or a drain starting: an idle or backing-off loop reacts to `stop()` at once. */
  private interruptible(signal: AbortSignal): AbortSignal {
    if (this.draining) return signal;
    const controller = new AbortController();
    this.wake = () => controller.abort();
    return AbortSignal.any([signal, controller.signal]);
  }

  private wake: () => void = () => {};
}
