import { writeSync } from "node:fs";
import type pino from "pino";

/**
 * Standard output without a write call per line: lines are gathered and written together once
 * per turn of the event loop, so under load one write carries every request line of that turn,
 * and when idle a line is written right after it is logged. What is left is written
 * synchronously when the process exits (`process.exit` included); `flushSync` does it at once.
 * Why not pino's own destinations: a synchronous write per line was about 8 % of user-service's
 * CPU under load (bench:http); sonic-boom's asynchronous mode cost as much in its write callbacks
 * on Bun, and its buffered mode (`minLength`) measures the whole buffer's byte length again
 * for every line (4 %). The cost: the lines of the current turn are lost on SIGKILL.
 */
export class TurnBufferedStdout implements pino.DestinationStream {
  #lines: string[] = [];
  #scheduled = false;

  constructor(private readonly fd = 1) {
    process.on("exit", () => this.flushSync());
  }

  write(line: string): void {
    this.#lines.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flushSync());
    }
  }

  /** pino's `logger.flush(cb)` calls this. */
  flush(callback?: (error?: Error) => void): void {
    this.flushSync();
    callback?.();
  }

  flushSync(): void {
    this.#scheduled = false;
    if (this.#lines.length === 0) return;
    let bytes = Buffer.from(this.#lines.join(""));
    this.#lines = [];
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(this.fd, bytes));
      } catch (error) {
        // A non-blocking pipe that is full: wait for the reader, as pino's sonic-boom does.
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }
}
