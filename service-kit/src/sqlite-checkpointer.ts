import type { Database } from "bun:sqlite";
import { Worker } from "node:worker_threads";

export const RUNNING = 0;
export const STOPPING = 1;
export const CLOSED = 2;

/** How often the checkpoint thread copies the WAL into the database file. */
const INTERVAL_MS = 100;
/**
 * The writer's own checkpoint, a fallback for when the thread falls behind (pages of WAL;
 * SQLite's default is 1,000): with it, the WAL stays bounded whatever the thread does.
 */
const DEFAULT_FALLBACK_PAGES = 4_000;

/** Stops the checkpoint thread; returns once its connection is closed. */
export type StopCheckpointer = () => void;

/**
 * Moves WAL checkpoints off the event loop: a worker thread with its own connection checkpoints
 * the file every INTERVAL_MS, and the writer's automatic checkpoint only runs past
 * `fallbackPages`. Used by every SQLite writer of the mesh (producers' outboxes, the gateway). Why: with SQLite's default, every 1,000 pages of WAL one COMMIT also copies
 * them into the database file and syncs both files, blocking the event loop, and so every request
 * of the process, for the whole copy and both syncs (bench:http: the COMMIT was about 10 % of the
 * samples of user-service, most of it in those checkpoints). A passive checkpoint never blocks a
 * writer, so the thread and the requests do not wait for each other.
 */
export function startCheckpointer(
  db: Database,
  path: string,
  fallbackPages = DEFAULT_FALLBACK_PAGES,
): StopCheckpointer {
  db.run(`PRAGMA wal_autocheckpoint = ${fallbackPages}`);
  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./sqlite-checkpoint-worker.ts", import.meta.url), {
    workerData: { path, state: state.buffer, intervalMs: INTERVAL_MS },
  });
  // The thread never keeps the process alive; closing the store stops it.
  worker.unref();
  return function stop() {
    if (Atomics.compareExchange(state, 0, RUNNING, STOPPING) !== RUNNING) return;
    Atomics.notify(state, 0);
    // Synchronous, so that the store's close() stays synchronous and the caller's own close
    // runs last (SQLite then checkpoints and removes the WAL). A thread that never started
    // is ended after a bound.
    if (Atomics.wait(state, 0, STOPPING, 5_000) === "timed-out") worker.terminate();
  };
}

/**
 * Copies the whole WAL into the database file and truncates it, so that no page as it was before
 * an erase stays readable in the WAL (secure_delete zeroes the freed ones in the file). A
 * checkpoint already running on another connection (the checkpoint thread) answers busy at once,
 * without the busy handler: tried every 100 ms for up to 5 s, then left to the next checkpoint
 * (a reader kept an old snapshot throughout; `bun run erase --verify` reports its frames).
 */
export async function truncateWal(db: Database): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = db
      .query<{ busy: number; log: number }, []>("PRAGMA wal_checkpoint(TRUNCATE)")
      .get();
    if (!result || (result.busy === 0 && result.log <= 0)) return;
    await Bun.sleep(100);
  }
}
