import type { MeshConsumer, MeshMessage } from "@event-mesh/kafka-kit";
import { describeError, type Logger, within } from "@event-mesh/service-kit";

/** Longest wait for an offset commit before it is given up (logged) and later ones go on. */
const COMMIT_TIMEOUT_MS = 15_000;

/** A message whose offset (and every earlier one of its partition) may be committed. */
interface Done {
  message: MeshMessage;
  /** The consumer that read it: a replaced consumer's commits are dropped. */
  consumer: MeshConsumer;
}

/**
 * Offset commits, gathered: the last done message of each partition is committed at most once
 * per `intervalMs` (KAFKA_COMMIT_INTERVAL_MS), one commit per partition per interval instead of
 * one per batch. Under a steady load the consumer hands over a small batch every few
 * milliseconds, and each commit is a request the broker and this process both pay for.
 * `intervalMs` 0: no timer; commitUnlessTimed() commits at once. A crash loses at most the last
 * interval's commits: those messages are read again, and the stores take them again without
 * change (deterministic ids, version checks), so that costs time, not correctness. Flushes run
 * one after another, so a partition's offsets only move forward.
 */
export class OffsetCommits {
  #pending = new Map<string, Done>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      intervalMs: number;
      /** The consumer in use now. */
      current: () => MeshConsumer | null;
      logger: Logger;
    },
  ) {}

  /** Queues the commit of `message`'s offset; committed within `intervalMs`. */
  add(message: MeshMessage, consumer: MeshConsumer): void {
    const key = `${message.topic}/${message.partition}`;
    const previous = this.#pending.get(key);
    if (!previous || previous.message.offset < message.offset)
      this.#pending.set(key, { message, consumer });
    if (this.options.intervalMs > 0 && this.#timer === null)
      this.#timer = setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  /**
   * After a caller's add()s: with an interval, nothing (the timer commits them); without one,
   * commits them now and settles once they did, as a commit per batch always has.
   */
  commitUnlessTimed(): Promise<void> {
    return this.options.intervalMs > 0 ? Promise.resolve() : this.flush();
  }

  /** Commits what is queued now; settles once those commits did (a failure is logged). */
  flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const done = [...this.#pending.entries()];
    this.#pending = new Map();
    const run = this.#flushing.then(() =>
      Promise.all(done.map(([key, d]) => this.#commit(key, d))),
    );
    this.#flushing = run.then(() => {});
    return this.#flushing;
  }

  async #commit(key: string, { message, consumer }: Done): Promise<void> {
    // Read by a consumer since replaced: its commit would never settle (the library keeps a
    // manual commit queued until that consumer is active again). The new consumer re-reads from
    // the last commit.
    if (consumer !== this.options.current()) return;
    try {
      if (!(await within(Promise.resolve(message.commit()), COMMIT_TIMEOUT_MS)))
        throw new Error(`no answer within ${COMMIT_TIMEOUT_MS} ms`);
    } catch (error) {
      // Lost to a rebalance: the next owner re-reads from the last commit. A timeout means the
      // consumer is not in its group right now; the offset stays queued in the library and goes
      // out when it rejoins. Either way later commits must not wait.
      this.options.logger.warn(
        { partition: key, err: describeError(error) },
        "offset commit failed",
      );
    }
  }
}
