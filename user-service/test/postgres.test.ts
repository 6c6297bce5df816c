import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { describePostgres, freshDatabase } from "../../test/pg-server.ts";
import {
  afterEachTest,
  call,
  freePort,
  idOf,
  metric,
  spawnService,
  tempDataDir,
  waitReady,
} from "./helpers.ts";

const { running, cleanups } = afterEachTest();

function dataDir(): string {
  const dir = tempDataDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a DATABASE_URL where no Postgres answers stops start-up with one line naming it", async () => {
  const { service, lines } = spawnService({
    DATA_DIR: dataDir(),
    DATABASE_URL: `postgres://postgres@127.0.0.1:${freePort()}/none`,
  });
  expect(await service.exited).toBe(1);
  expect(lines.join("\n")).toContain("DATABASE_URL: cannot connect and migrate");
});

await describePostgres("user-service on Postgres", (url) => {
  test("two replicas started together migrate once and serve the same users", async () => {
    const db = await freshDatabase(url, "service");
    cleanups.push(db.drop);
    // Its relay's transport leads nowhere: the events wait in the shared outbox.
    const env = {
      DATABASE_URL: db.url,
      GATEWAY_URL: `http://127.0.0.1:${freePort()}`,
      INGEST_TOKEN: "t",
      // Nothing can be flushed at shutdown: do not wait for it.
      SHUTDOWN_TIMEOUT_MS: "200",
    };
    const [one, two] = [
      spawnService({ ...env, DATA_DIR: dataDir() }),
      spawnService({ ...env, DATA_DIR: dataDir() }),
    ];
    running.push(one.service, two.service);
    await Promise.all([waitReady(one.service, "/healthz"), waitReady(two.service, "/healthz")]);

    const created = await call(one.service, "POST", "/users", { email: "A@a.dev", name: "A" });
    expect(created.status).toBe(201);
    const id = idOf(created.json);
    expect((await call(two.service, "GET", `/users/${id}`)).status).toBe(200);
    // Case-insensitive e-mail uniqueness holds across replicas: 409 on the other one.
    const taken = await call(two.service, "POST", "/users", { email: "a@A.dev", name: "B" });
    expect(taken.status).toBe(409);
    expect((await call(two.service, "PATCH", `/users/${id}`, { name: "A2" })).json).toMatchObject({
      version: 2,
    });
    expect(await metric(one.service, "user_service_outbox_depth_events")).toBe(2);
    const sql = new Bun.SQL({ url: db.url, max: 1 });
    const applied = await sql`SELECT name FROM schema_migrations ORDER BY name`;
    await sql.close();
    expect(applied.map((row: { name: string }) => row.name)).toEqual([
      "outbox-kit/001_outbox.sql",
      "outbox-kit/002_idempotency.sql",
      "outbox-kit/003_erasures.sql",
      "user-service/001_users.sql",
      "user-service/002_tenants.sql",
    ]);
  });
});
