import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withLock } from "../kafka/process.ts";
import { otherLeases } from "../lib/leases.ts";
import { pgPaths } from "./config.ts";
import { stopPg } from "./server.ts";

/*
 * As for Kafka (scripts/kafka/leases.ts): each `bun test` run holds a lease while it uses the
 * local server; the last run to leave stops it, and only if a test run started it.
 */

/** Marks this process as a user of the local server; call before startPg. */
export function takeLease(): void {
  const paths = pgPaths();
  mkdirSync(paths.leases, { recursive: true });
  writeFileSync(join(paths.leases, String(process.pid)), "");
}

/** Marks the server as started by a test run, so the last run's dropLease stops it. */
export function markTestOwned(): void {
  writeFileSync(pgPaths().testOwned, String(process.pid));
}

/** Gives the lease back; stops the server when this was the last user of a test-owned one. */
export async function dropLease(): Promise<{ stopped: boolean }> {
  const paths = pgPaths();
  return withLock(paths.lockFile, 60_000, async () => {
    rmSync(join(paths.leases, String(process.pid)), { force: true });
    if (!existsSync(paths.testOwned) || otherLeases(paths.leases).length > 0)
      return { stopped: false };
    const { stopped } = await stopPg();
    rmSync(paths.testOwned, { force: true });
    return { stopped };
  });
}
