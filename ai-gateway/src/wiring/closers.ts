import { describeError, type Logger } from "@event-mesh/service-kit";

/**
 * What start-up opened, closed at shutdown in the reverse order it was added: the last thing
 * opened is the first closed, so intake stops before the batches in hand are flushed, and the
 * stores close after everything that writes to them. A closer that fails is logged; the rest
 * still run.
 */
export class Closers {
  #closers: { name: string; close: () => unknown }[] = [];

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => unknown): void {
    this.#closers.push({ name, close });
  }

  async closeAll(): Promise<void> {
    const closers = this.#closers.reverse();
    this.#closers = [];
    for (const { name, close } of closers) {
      try {
        await close();
      } catch (error) {
        this.logger.warn({ closer: name, err: describeError(error) }, "closing failed");
      }
    }
  }
}
