/**
 * The one way Postgres tests find a server. DATABASE_URL (kept as TEST_DATABASE_URL by
 * preload.ts) wins; otherwise the local server (scripts/pg.ts) is started once per `bun test`
 * run and stopped at the end only if a test run started it and no other run still uses it.
 * Without binaries for this platform the Postgres tests skip with one line; REQUIRE_POSTGRES=1
 * turns that into a failure.
 */
import { describe, test } from "bun:test";
import { dropLease, markTestOwned, takeLease } from "../scripts/pg/leases.ts";
import { PgSetupError, startPg } from "../scripts/pg/server.ts";
import { atRunEnd } from "./run-end.ts";

type Availability = { url: string } | { url: null; reason: string };

let availability: Promise<Availability> | null = null;
let skipNoted = false;

/** The server URL for Postgres tests, or null when none can be had (tests then skip). */
export async function postgresUrl(): Promise<string | null> {
  return (await availabilityOnce()).url;
}

/**
 * `describe` for tests that need Postgres: `fn` gets the URL. Await it at the top level of the
 * test file: `await describePostgres("…", (url) => { test(…) })`.
 */
export async function describePostgres(name: string, fn: (url: string) => void): Promise<void> {
  const found = await availabilityOnce();
  if (found.url !== null) {
    const { url } = found;
    describe(name, () => fn(url));
  } else if (process.env.REQUIRE_POSTGRES === "1") {
    describe(name, () => {
      test("has a Postgres server (REQUIRE_POSTGRES=1)", () => {
        throw new Error(`REQUIRE_POSTGRES=1 but no Postgres server: ${found.reason}`);
      });
    });
  } else {
    if (!skipNoted) console.warn(`[postgres] Postgres tests skipped: ${found.reason}`);
    skipNoted = true;
    test.skip(`${name} (needs a Postgres server)`, () => {});
  }
}

function availabilityOnce(): Promise<Availability> {
  if (!availability) availability = resolveServer();
  return availability;
}

async function resolveServer(): Promise<Availability> {
  const fromEnv = process.env.TEST_DATABASE_URL?.trim();
  if (fromEnv) return { url: fromEnv };
  // The lease comes first: a run that ends meanwhile must see this one as a user.
  takeLease();
  atRunEnd(async () => {
    const { stopped } = await dropLease();
    if (stopped) console.log("[postgres] stopped the server a test run started");
  });
  try {
    const result = await startPg({ log: (line) => console.log(`[postgres] ${line}`) });
    if (result.started) markTestOwned();
    return { url: result.url };
  } catch (error) {
    if (error instanceof PgSetupError) return { url: null, reason: error.message };
    throw error;
  }
}

/**
 * A fresh database on the server at `url`, for one test file: stores and relays of different
 * files never see each other's rows. Returns its URL and a function that drops it.
 */
export async function freshDatabase(
  url: string,
  prefix = "t",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const { SQL } = await import("bun");
  const name = `${prefix}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = new SQL({ url, max: 1 });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.close();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const sql = new SQL({ url, max: 1 });
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await sql.close();
    },
  };
}
