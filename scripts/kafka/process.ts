import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** True when `pid` is a live (not zombie) process whose command line contains `marker`. */
export function isRunning(pid: number, marker: string): boolean {
  // `ps` rather than kill(pid, 0): a zombie still answers kill, and a reused pid would too.
  // -ww: the marker comes after a classpath of some 3,000 characters.
  const ps = Bun.spawnSync(["ps", "-ww", "-o", "stat=,args=", "-p", String(pid)], {
    stdout: "pipe",
  });
  const line = ps.stdout.toString().trim();
  return line !== "" && !line.startsWith("Z") && line.includes(marker);
}

/** The pid stored in `file`, or null when the file is missing or holds no number. */
export function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Waits until `pid` is gone; false when it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, marker: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, marker)) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(100);
  }
  return true;
}

/**
 * Runs `fn` while holding a lock file, so that two processes (two `bun test` runs, or a test
 * run and `bun run kafka:start`) never format or launch the same broker twice. A lock left by
 * a dead process is taken over.
 */
export async function withLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Written aside, then linked into place: the lock never exists without its pid.
    const own = `${file}.${process.pid}`;
    writeFileSync(own, String(process.pid));
    try {
      linkSync(own, file);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readPid(file);
      if (holder === null || !isRunning(holder, "")) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file} is held by pid ${holder}`);
      await Bun.sleep(200);
    } finally {
      rmSync(own, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
