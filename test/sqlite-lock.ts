/**
 * Another process checkpointing a SQLite file, as the sqlite3 shell or a backup tool does: a
 * python3 process holds the WAL checkpoint lock (byte 121 of the `-shm` file, SQLite's
 * WAL_CKPT_LOCK) for `ms`, so this process's checkpoints answer busy meanwhile. Resolves once
 * the lock is held; the process lets it go and exits by itself.
 */
export async function holdCheckpointLock(path: string, ms: number): Promise<void> {
  const python = Bun.which("python3");
  if (!python) throw new Error("python3 is needed to hold a SQLite lock from another process");
  const script = [
    "import fcntl, sys, time",
    "f = open(sys.argv[1], 'r+b')",
    "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 121)",
    "print('locked', flush=True)",
    "time.sleep(float(sys.argv[2]))",
  ].join("\n");
  const child = Bun.spawn([python, "-c", script, `${path}-shm`, String(ms / 1000)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  if (!new TextDecoder().decode(value).includes("locked")) {
    throw new Error(`could not lock ${path}-shm: ${await new Response(child.stderr).text()}`);
  }
}
