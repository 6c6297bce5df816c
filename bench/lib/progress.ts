// Progress of a long benchmark phase on stderr (stdout stays the table): without it the ingest
// baseline, for one, was silent for over a minute.

/** How often a running phase reports; BENCH_PROGRESS_MS overrides (default 5000). */
const EVERY_MS = Number(process.env.BENCH_PROGRESS_MS) || 5_000;

/** Where and how often `whileRunning` reports; tests pass their own. */
export interface ProgressOptions {
  everyMs?: number;
  write?: (line: string) => void;
}

/**
 * Awaits `work`, printing `[bench] <label>: <status()>, <n> s` every few seconds until it
 * settles. `status` says how far it got (e.g. `3,400 / 10,000 stored`); omitted, only the time.
 */
export async function whileRunning<T>(
  label: string,
  work: Promise<T>,
  status: () => string = () => "running",
  options: ProgressOptions = {},
): Promise<T> {
  const write = options.write ?? ((line: string) => console.error(line));
  const started = performance.now();
  const timer = setInterval(() => {
    const seconds = Math.round((performance.now() - started) / 1000);
    write(`[bench] ${label}: ${status()}, ${seconds} s`);
  }, options.everyMs ?? EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** `3,400 / 10,000`. */
export function outOf(done: number, total: number): string {
  return `${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}`;
}
