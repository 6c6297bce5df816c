import { join, resolve } from "node:path";

/** Port of the local server: fixed and documented, away from a system Postgres on 5432. */
export const PG_PORT = 15432;
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

/** Paths under `root` (default PG_CACHE_DIR or .cache/postgres). */
export function pgPaths(root = process.env.PG_CACHE_DIR): PgPaths {
  const dir = resolve(root || join(ROOT, ".cache", "postgres"));
  return {
    root: dir,
    data: join(dir, "data"),
    logFile: join(dir, "data", "server.log"),
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
