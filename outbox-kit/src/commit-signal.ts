/** Counts commits and wakes whoever waits for the next one (the relay): no polling. */
export class CommitSignal {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /** Commits so far. */
  get version(): number {
    return this.count;
  }

  /** Called after every commit. */
  notify(): void {
    this.count++;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /** Resolves once a commit happened after `since`, or on abort. */
  changed(since: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.count !== since || signal.aborted) return resolve();
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }
}
