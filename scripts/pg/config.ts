import { statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * Port of the local server: 15432, away from a system Postgres on 5432; `PG_PORT` picks another
 * (a second server beside a running one, as the private-clone test starts).
 */
export const PG_PORT = portFrom(process.env.PG_PORT);

function portFrom(value: string | undefined): number {
  if (!value) return 15432;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`PG_PORT must be a port number (1–65535), not ${JSON.stringify(value)}`);
  }
  return port;
}
export const PG_HOST = "127.0.0.1";
/** Superuser initdb creates; trust authentication on 127.0.0.1 only (a local dev server). */
export const PG_USER = "postgres";

const ROOT = resolve(import.meta.dir, "../..");

/** Where every file of one local server lives; `.cache/` is git-ignored. */
export interface PgPaths {
  /** The folder of this server: data, log, pid, lock and leases. */
  root: string;
  /** PGDATA, owned by the user the server runs as. */
  data: string;
  logFile: string;
  /** Pid of the postmaster this script started; what `stop` may stop. */
  pidFile: string;
  lockFile: string;
  /** Present while the server was started by a test run, which may stop it at the end. */
  testOwned: string;
  /** One file per test run using the server (named by its pid). */
  leases: string;
}

/** True when a user other than the owner may walk down to `dir` (every folder on the way o+x). */
export function reachableByOthers(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    try {
      if ((statSync(at).mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: it will be, world-traversable (see startPg).
    }
    if (dirname(at) === at) return true;
  }
}

/**
 * Where the cluster lives. As root the server runs as the `postgres` user, who must reach it:
 * a checkout under a private folder (/root/…) gets its data folder under the temp folder
 * instead, named after the checkout so that it stays the same from run to run.
 */
function dataDir(root: string): string {
  const own = join(root, "data");
  // `root` itself is made world-traversable by startPg; the folders above it are not ours.
  if (userInfo().uid !== 0 || reachableByOthers(dirname(root))) return own;
  return join(tmpdir(), `event-mesh-postgres-${Bun.hash.crc32(root).toString(16)}`, "data");
}

/** Paths under `root` (default PG_CACHE_DIR or .cache/postgres). */
export function pgPaths(root = process.env.PG_CACHE_DIR): PgPaths {
  const dir = resolve(root || join(ROOT, ".cache", "postgres"));
  const data = dataDir(dir);
  return {
    root: dir,
    data,
    logFile: join(data, "server.log"),
    pidFile: join(dir, "server.pid"),
    lockFile: join(dir, "start.lock"),
    testOwned: join(dir, "test-owned"),
    leases: join(dir, "leases"),
  };
}

/** The connection URL of a local server on `port`. */
export function pgUrl(port = PG_PORT, database = "postgres"): string {
  return `postgres://${PG_USER}@${PG_HOST}:${port}/${database}`;
}
