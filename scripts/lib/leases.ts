import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isRunning } from "../kafka/process.ts";

/**
 * Pids of the other live processes holding a lease in `dir` (one empty file per pid), for the
 * local Kafka broker and Postgres server alike; leases of dead processes are removed.
 */
export function otherLeases(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (Number.isInteger(pid) && isRunning(pid, "")) pids.push(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return pids;
}
