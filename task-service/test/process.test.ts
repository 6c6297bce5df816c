import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { describePostgres, freshDatabase } from "../../test/pg-server.ts";
import { PostgresUserStore } from "../../user-service/src/store/postgres.ts";
import {
  freePort,
  metric,
  type ServiceProcess,
  spawnService,
  tempDataDir,
  waitReady,
} from "../../user-service/test/helpers.ts";

const running: ServiceProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.stop(5_000);
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** task-service as a process, with a fresh data folder. */
function spawnTasks(env: Record<string, string>) {
  const dir = tempDataDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const spawned = spawnService({ DATA_DIR: dir, ...env }, freePort(), "task-service");
  running.push(spawned.service);
  return spawned;
}

test("refuses to start with bad variables, naming each one, exit code 1", async () => {
  const { service, lines } = spawnTasks({ USER_SERVICE_URL: "users", DATABASE_URL: "mysql://x" });
  expect(await service.exited).toBe(1);
  expect(lines.join("\n")).toContain("USER_SERVICE_URL:");
  expect(lines.join("\n")).toContain("DATABASE_URL: must start with postgres://");
}, 30_000);

test("serves tasks on SQLite and names its metrics task_service_", async () => {
  // The gateway address leads nowhere; a short shutdown bound keeps the stop within the hook's.
  const { service } = spawnTasks({
    GATEWAY_URL: `http://127.0.0.1:${freePort()}`,
    SHUTDOWN_TIMEOUT_MS: "500",
  });
  await waitReady(service, "/healthz");
  const created = await fetch(`${service.url}/tasks`, {
    method: "POST",
    headers: { authorization: "Bearer tenant-a:user-1", "content-type": "application/json" },
    body: JSON.stringify({ title: "Ship it" }),
  });
  expect(created.status).toBe(201);
  // The event waits in the outbox.
  expect(await metric(service, "task_service_outbox_depth_events")).toBe(1);
}, 30_000);

await describePostgres("task-service on Postgres", (url) => {
  test("pointed at user-service's database it refuses to start, naming DATABASE_URL and the fix", async () => {
    const db = await freshDatabase(url, "shared");
    const users = await PostgresUserStore.open({ url: db.url, poolMax: 1 });
    cleanups.push(async () => {
      await users.close();
      await db.drop();
    });
    const { service, lines } = spawnTasks({ DATABASE_URL: db.url });
    expect(await service.exited).toBe(1);
    expect(lines.join("\n")).toContain("DATABASE_URL: cannot connect and migrate");
    expect(lines.join("\n")).toContain("give task-service a database of its own");
  }, 30_000);
});
