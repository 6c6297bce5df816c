import { expect, test } from "bun:test";
import { SQL } from "bun";
import { PostgresTaskStore } from "../../task-service/src/store/postgres.ts";
import { describePostgres, freshDatabase } from "../../test/pg-server.ts";
import { PostgresUserStore } from "../../user-service/src/store/postgres.ts";
import { taskDatabaseUrl } from "./task-database.ts";

await describePostgres("bun run dev on Postgres: task-service's own database", (url) => {
  test("is <db>_tasks on the same server, created once, where task-service starts beside user-service", async () => {
    const users = await freshDatabase(url, "devusers");
    const derived = await taskDatabaseUrl(users.url);
    expect(await taskDatabaseUrl(users.url)).toBe(derived);
    const name = new URL(users.url).pathname.slice(1);
    expect(new URL(derived).pathname).toBe(`/${name}_tasks`);
    expect(new URL(derived).host).toBe(new URL(users.url).host);
    const userStore = await PostgresUserStore.open({ url: users.url, poolMax: 1 });
    const taskStore = await PostgresTaskStore.open({ url: derived, poolMax: 1 });
    await taskStore.close();
    await userStore.close();
    await users.drop();
    const admin = new SQL({ url, max: 1 });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}_tasks" WITH (FORCE)`);
    await admin.close();
  });
});
