// The thread of `startCheckpointer`: checkpoints a SQLite file's WAL every `intervalMs` on its own
// connection until `state[0]` leaves RUNNING, then closes that connection and says so.

import { Database } from "bun:sqlite";
import { workerData } from "node:worker_threads";
import { CLOSED, RUNNING } from "./sqlite-checkpointer.ts";

const {
  path,
  state: buffer,
  intervalMs,
} = workerData as {
  path: string;
  state: SharedArrayBuffer;
  intervalMs: number;
};
const state = new Int32Array(buffer);
const db = new Database(path, { strict: true });
try {
  db.run("PRAGMA busy_timeout = 5000");
  // The same durability as the writers': the checkpoint syncs the WAL, then the database file.
  db.run("PRAGMA synchronous = NORMAL");
  while (Atomics.load(state, 0) === RUNNING) {
    try {
      // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
      db.run("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // Busy or a full disk: the writer's own autocheckpoint is the fallback; try again later.
    }
    Atomics.wait(state, 0, RUNNING, intervalMs);
  }
} finally {
  db.close();
  Atomics.store(state, 0, CLOSED);
  Atomics.notify(state, 0);
}
