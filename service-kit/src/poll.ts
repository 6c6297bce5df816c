/**
 * Polling for tests and scripts: wait until something asynchronous has happened. The deadline
 * only ends a hang; nothing is timed.
 */

/**
 * Polls `check` until it returns a value other than undefined and returns it; fails naming
 * `what` after `deadlineMs`. A check that throws is retried (a service may be restarting); its
 * last error and `explain()` go into the failure.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  deadlineMs = 60_000,
  explain: () => string = () => "",
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  let lastError: unknown = null;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(intervalMs);
  }
  const why = lastError ? ` (last error: ${String(lastError)})` : "";
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${why} ${explain()}`);
}

/** Polls until `condition` holds; fails naming `what` after `deadlineMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  deadlineMs = 60_000,
  intervalMs = 50,
): Promise<void> {
  await eventually(
    what,
    async () => ((await condition()) ? true : undefined),
    deadlineMs,
    () => "",
    intervalMs,
  );
}
