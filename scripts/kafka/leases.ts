import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { otherLeases as otherLeaseHolders } from "../lib/leases.ts";
import { stopBroker } from "./broker.ts";
import { brokerPaths } from "./config.ts";
import { withLock } from "./process.ts";

/*
 * Several `bun test` runs may share the local broker at once (one per package, or one per
 * developer tool). Each run holds a lease while it uses the broker; the last run to leave stops
 * the broker, and only if a test run started it (`bun run kafka:start` keeps it running).
 */

/** Marks this process as a user of the local broker; call before startBroker. */
export function takeLease(dataDir?: string): void {
  const paths = brokerPaths(dataDir);
  mkdirSync(paths.leases, { recursive: true });
  writeFileSync(join(paths.leases, String(process.pid)), "");
}

/** Marks the broker as started by a test run, so the last run's dropLease stops it. */
export function markTestOwned(dataDir?: string): void {
  writeFileSync(brokerPaths(dataDir).testOwned, String(process.pid));
}

/** Pids of the other live processes holding a lease on the broker of `dataDir`. */
export function otherLeases(dataDir?: string): number[] {
  return otherLeaseHolders(brokerPaths(dataDir).leases);
}

/**
 * Gives the lease back and stops the broker when this was the last user of a test-owned one.
 * Holds the start lock, so a run starting meanwhile either counts as a user or starts afresh.
 */
export async function dropLease(dataDir?: string): Promise<{ stopped: boolean }> {
  const paths = brokerPaths(dataDir);
  return withLock(paths.lockFile, 60_000, async () => {
    rmSync(join(paths.leases, String(process.pid)), { force: true });
    if (!existsSync(paths.testOwned) || otherLeases(dataDir).length > 0) return { stopped: false };
    const { stopped } = await stopBroker({ dataDir: paths.dataDir });
    rmSync(paths.testOwned, { force: true });
    return { stopped };
  });
}
