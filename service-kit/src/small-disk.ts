import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A real, small file system (tmpfs) that a test can fill up and free again. */
export interface SmallDisk {
  /** Where it is mounted. */
  dir: string;
  /** Writes a filler file until the file system answers ENOSPC. */
  fill(): void;
  /** Deletes the filler: space is back. */
  free(): void;
  /** Unmounts and removes the mount point. */
  close(): void;
}

/**
 * Test helper: mounts a tmpfs of `sizeKiB` so that a test sees a real full disk (ENOSPC,
 * SQLITE_FULL), not an injected error. Needs root (mount); answers null where it cannot mount,
 * and the caller skips with a message instead of faking it.
 */
export function mountSmallDisk(sizeKiB = 2048): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), "small-disk-"));
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${sizeKiB}k`, "tmpfs", dir], {
    stdout: "ignore",
    stderr: "ignore",
  });
  if (mounted.exitCode !== 0) {
    rmdirSync(dir);
    return null;
  }
  const filler = join(dir, "filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      const block = new Uint8Array(4096);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if (!(error instanceof Error && "code" in error && error.code === "ENOSPC")) throw error;
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    close() {
      Bun.spawnSync(["umount", "-l", dir], { stdout: "ignore", stderr: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
