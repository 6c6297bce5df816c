// user-service's app on a fresh SQLite file per test.
import { afterEach, beforeEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, createMetrics } from "@event-mesh/service-kit";
import { createApp } from "../src/app.ts";
import { SqliteUserStore } from "../src/store/sqlite.ts";

/** What each test gets; the fields are replaced before every test. */
export interface UserAppPerTest {
  store: SqliteUserStore;
  app: ReturnType<typeof createApp>;
}

/**
 * Registers `beforeEach`/`afterEach` that open the app (dev tokens, silent logs, a sink that
 * sends nothing) on a new SQLite file and remove it afterwards.
 */
export function userAppPerTest(prefix: string): UserAppPerTest {
  let dir = "";
  const current = {} as UserAppPerTest;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    current.store = new SqliteUserStore(join(dir, "user-service.sqlite"));
    current.app = createApp({
      store: current.store,
      sink: { name: "test", probe: async () => {} },
      logger: createLogger({ name: "test", level: "silent" }),
      metrics: createMetrics({ namespace: "user_service" }),
      auth: { mode: "dev" },
    });
  });
  afterEach(() => {
    current.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return current;
}
