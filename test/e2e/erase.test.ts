import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createUser, deleteUser, request, search } from "./api.ts";
import * as stack from "./stack.ts";
import { createTask } from "./task-api.ts";

afterEach(stack.stopAll);

const OPERATOR_TOKEN = "e2e-operator-credential-of-32-chars!";
const ROOT = join(import.meta.dir, "..", "..");

/** `bun run erase …` against the stack; its exit code and output. */
function erase(args: string[], env: Record<string, string>) {
  const run = Bun.spawnSync(["bun", join(ROOT, "scripts", "erase.ts"), ...args], {
    env: { ...process.env, DATABASE_URL: "", TASK_DATABASE_URL: "", QDRANT_URL: "", ...env },
  });
  return { code: run.exitCode, out: run.stdout.toString(), err: run.stderr.toString() };
}

describe("tenant offboarding on the embedded stack", () => {
  test("bun run erase --tenant erases it from every service, --verify finds nothing, the other tenant answers, and no log line holds a name or an e-mail", async () => {
    const config = stack.stackConfig();
    const operator = { OPERATOR_TOKEN };
    const gateway = await stack.startGateway(config, operator);
    const users = await stack.startUserService(config, operator);
    const tasks = await stack.startTaskService(config, {
      ...operator,
      USER_SERVICE_URL: users.url,
    });
    const services: stack.Running[] = [gateway, users, tasks];
    const explain = () => stack.tail(services);

    const people = Array.from({ length: 3 }, (_, i) => ({
      name: `Erasable Person ${i}`,
      email: `erasable-${i}-${crypto.randomUUID().slice(0, 8)}@tenant-a.dev`,
    }));
    const made = [];
    for (const person of people) made.push(await createUser(users.url, "tenant-a", person));
    await createTask(tasks.url, "tenant-a", { title: "Erasable quarterly plan" });
    const keeper = { name: "Kept Person", email: `kept-${crypto.randomUUID().slice(0, 8)}@b.dev` };
    await createUser(users.url, "tenant-b", keeper);
    const leaver = {
      name: "Leaving Person",
      email: `leaving-${crypto.randomUUID().slice(0, 8)}@b.dev`,
    };
    const left = await createUser(users.url, "tenant-b", leaver);
    await stack.pointsReaching(gateway.url, "tenant-a", 3, 30_000, explain);
    await stack.pointsReaching(gateway.url, "tenant-b", 2, 30_000, explain);
    await stack.pointsReaching(gateway.url, "tenant-a", 1, 30_000, explain, "tasks");
    // A subject erased before the tenant: its point, cache entries and dead letters go.
    await deleteUser(users.url, "tenant-a", (made[0] as { id: string }).id);

    const env = {
      OPERATOR_TOKEN,
      USER_SERVICE_URL: users.url,
      TASK_SERVICE_URL: tasks.url,
      GATEWAY_URLS: gateway.url,
      DATA_DIRS: [config.userDir, config.taskDir, config.gatewayDir].join(","),
      ERASE_TIMEOUT_MS: "60000",
    };
    // One person of tenant-b asks to be forgotten: gone once every gateway stored the delete.
    const subject = erase(["--user", left.id, "--tenant", "tenant-b"], env);
    expect({ code: subject.code, out: subject.out }).toMatchObject({ code: 0 });
    expect(subject.out).toContain(`${gateway.url}: delete stored`);
    expect(await search(gateway.url, "tenant-b", leaver.name)).not.toContainEqual(
      expect.objectContaining({ id: left.id }),
    );

    const erased = erase(["--tenant", "tenant-a"], env);
    expect({ code: erased.code, err: erased.err.slice(-500) }).toMatchObject({ code: 0 });
    expect(erased.err).toContain(`${gateway.url}: done`);
    const report = JSON.parse(erased.out) as Record<string, { counts?: Record<string, number> }>;
    expect(report["user-service"]?.counts).toMatchObject({ users: 2 });
    expect(report["task-service"]?.counts).toMatchObject({ tasks: 1 });
    expect(report[gateway.url]?.counts).toMatchObject({ "vectors.users": 3, "vectors.tasks": 1 });

    const verified = erase(["--verify", "--tenant", "tenant-a"], env);
    expect({ code: verified.code, out: verified.out }).toMatchObject({ code: 0 });

    // The erased tenant's writes are refused; the other tenant searches and writes as before.
    const refused = await request("POST", `${users.url}/users`, "tenant-a", people[1]);
    expect(refused.status).toBe(410);
    const hits = await search(gateway.url, "tenant-b", keeper.name);
    expect(hits.map((hit) => hit.data.email)).toContain(keeper.email);
    expect(await search(gateway.url, "tenant-a", people[1]?.name ?? "")).toEqual([]);

    // Logs carry ids, never names or e-mails: not one line of any service holds one.
    const lines = services.flatMap((service) => service.lines);
    // The erase itself is logged (by ids and counts), so the lines searched are the real ones.
    expect(lines.filter((line) => line.includes("tenant erased")).length).toBeGreaterThanOrEqual(3);
    for (const person of [...people, keeper, leaver])
      for (const secret of [person.email, person.name])
        expect({ secret, lines: lines.filter((line) => line.includes(secret)) }).toEqual({
          secret,
          lines: [],
        });
  }, 120_000);
});
