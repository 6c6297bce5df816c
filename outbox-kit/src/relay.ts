import { describeError, type Logger, Retrier, sleep } from "@event-mesh/service-kit";
import type { Outbox, OutboxRow } from "./outbox.ts";
import type { EventSink } from "./sink/index.ts";

/** A step of the relay loop, named in logs and metrics when it fails. */
export type RelayStep = "peek" | "send" | "remove" | "wait";

/** Relay options. */
export interface RelayOptions {
  outbox: Outbox;
  sink: EventSink;
  logger: Logger;
  /** Most rows per sink call. */
  batchMax: number;
  /** Retry delays while a step fails. */
  backoff?: { baseMs: number; maxMs: number } | undefined;
  /**
   * A send follows the one before it by at least this long (RELAY_LINGER_MS): under a steady
   * stream of commits the relay gathers what arrives meanwhile into one batch, not one send per
   * commit. A relay that sent nothing for this long sends at once. Default 0.
   */
  lingerMs?: number | undefined;
  /** Told about each acknowledged batch and each failure (metrics). */
  onSent?: ((count: number) => void) | undefined;
  onError?: ((step: RelayStep) => void) | undefined;
}

/** A batch handed to the sink: its rows and how the send ended (undefined: acknowledged). */
interface InFlight {
  rows: OutboxRow[];
  outcome: Promise<{ error: unknown } | undefined>;
}

/** What readiness needs to know about the relay. */
export interface RelayStatus {
  /** The last attempt of some step failed and no step has succeeded since. */
  failing: boolean;
  /** The failing step and its error. */
  error?: string | undefined;
}

class StepError extends Error {
  constructor(
    readonly step: RelayStep,
    error: unknown,
  ) {
    super(describeError(error), { cause: error });
  }
}

/** Runs `work`; a rejection becomes a `StepError` naming `step`. */
async function step<T>(name: RelayStep, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StepError(name, error);
  }
}

/**
 * Drains the outbox to the sink: oldest rows first, in batches, removing rows only after the
 * sink acknowledged them. Every step (reading the outbox, sending, removing, waiting for a
 * commit) is retried with the same capped, jittered backoff: a store error (a full disk) or a
 * sink error never ends the loop, so nothing is dropped, reordered or left behind until a
 * restart. A batch that was sent but not yet removed is only removed on retry, never sent again.
 * Up to two batches are with a sink that keeps send order (see `cycle`); when the first fails, the second is
 * sent again after it, so the order holds, at the cost of a possible duplicate of the second.
 * It sleeps until the store signals a commit: no polling.
 */
export class Relay {
  private readonly stopController = new AbortController();
  private draining = false;
  private loop: Promise<void> | undefined;
  private lastError: string | undefined;
  private current: RelayStatus = { failing: false };
  /** Rows the sink acknowledged whose removal failed; removed before anything else is read. */
  private sent: OutboxRow[] | undefined;
  /** The batch handed to the sink and not yet settled; awaited before anything else is sent. */
  private ahead: InFlight | undefined;
  /** When the last batch was handed to the sink (performance.now()). */
  private lastSendAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    // run() catches every step's error itself; this only guards against a bug in the loop.
    this.loop ??= this.run().catch((error: unknown) => {
      this.current = { failing: true, error: describeError(error) };
      this.options.logger.error({ err: describeError(error) }, "relay stopped by an error");
    });
  }

  /** Whether the relay is failing now (readiness). */
  status(): RelayStatus {
    return this.current;
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
    try {
      return (await this.options.outbox.depth()).count === 0;
    } catch {
      return false;
    }
  }

  private async run(): Promise<void> {
    const { logger, sink } = this.options;
    const signal = this.stopController.signal;
    const retrier = new Retrier(this.options.backoff ?? { baseMs: 100, maxMs: 10_000 });
    while (!signal.aborted) {
      try {
        if ((await this.cycle(signal)) === "done") return;
        if (this.lastError) logger.info({ sink: sink.name }, "relay recovered");
        this.lastError = undefined;
        this.current = { failing: false };
        retrier.succeeded();
      } catch (error) {
        const failed = error instanceof StepError ? error : new StepError("peek", error);
        this.options.onError?.(failed.step);
        const message = `${failed.step}: ${failed.message}`;
        this.current = { failing: true, error: message };
        const delayMs = retrier.nextDelay();
        // Log the first failure and every change of reason, not one line per retry.
        if (message !== this.lastError) {
          logger.warn(
            { sink: sink.name, step: failed.step, err: failed.message, delayMs },
            "relay step failed; retrying",
          );
          this.lastError = message;
        }
        await sleep(delayMs, this.interruptible(signal));
      }
    }
  }

  /**
   * One turn: finish a pending removal, or send a batch and remove it, or wait. While a batch is
   * on the wire the next one is read and handed to the sink too, so the transport never idles
   * while this process reads, encodes or removes (the Kafka client still sends them one after
   * the other, in order). A failed batch is sent again with every batch after it.
   */
  private async cycle(signal: AbortSignal): Promise<"progress" | "idle" | "done"> {
    const { outbox, batchMax } = this.options;
    if (this.sent) {
      await this.removeSent(this.sent);
      return "progress";
    }
    let current = this.ahead;
    if (!current) {
      const seen = outbox.version();
      await this.linger(signal);
      const rows = await step("peek", () => outbox.peek(batchMax));
      if (rows.length === 0) {
        if (this.draining) return "done";
        await step("wait", () => outbox.changed(seen, this.interruptible(signal)));
        return "idle";
      }
      current = this.startSend(rows);
      this.ahead = current;
    }
    // The rows after those in flight: peek from the oldest and skip these, so a row that became
    // visible late (Postgres) is not passed over.
    const inFlight = new Set(current.rows.map((row) => row.seq));
    const after =
      signal.aborted || !this.options.sink.keepsSendOrder
        ? []
        : await step("peek", () => outbox.peek(batchMax + inFlight.size));
    const nextRows = after.filter((row) => !inFlight.has(row.seq)).slice(0, batchMax);
    const next = nextRows.length > 0 ? this.startSend(nextRows) : undefined;
    const failure = await current.outcome;
    if (failure) {
      // Let the later batch settle, so a retry does not race it; its rows go out again.
      await next?.outcome;
      this.ahead = undefined;
      throw new StepError("send", failure.error);
    }
    this.ahead = next;
    this.sent = current.rows;
    await this.removeSent(current.rows);
    return "progress";
  }

  /** Waits out the rest of `lingerMs` since the last send, unless draining or stopped. */
  private async linger(signal: AbortSignal): Promise<void> {
    const wait = (this.options.lingerMs ?? 0) - (performance.now() - this.lastSendAt);
    if (wait > 0 && !this.draining) await sleep(wait, this.interruptible(signal));
  }

  /** Hands `rows` to the sink; the outcome never rejects (a failure is its value). */
  private startSend(rows: OutboxRow[]): InFlight {
    this.lastSendAt = performance.now();
    const outcome = this.options.sink.send(rows.map((row) => row.event)).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    return { rows, outcome };
  }

  private async removeSent(rows: OutboxRow[]): Promise<void> {
    await step("remove", () => this.options.outbox.remove(rows));
    this.sent = undefined;
    this.options.onSent?.(rows.length);
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
