import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { describeKafka } from "../kafka-broker.ts";
import { createMany, search } from "./api.ts";
import * as stack from "./stack.ts";
import { createManyTasks } from "./task-api.ts";

afterEach(stack.stopAll);

const OPERATOR_TOKEN = "e2e-drill-operator-credential-32chars";
const ROOT = join(import.meta.dir, "..", "..");
/** Entities of the erased tenant: half users, half tasks (ERASE_DRILL_ENTITIES, default 10,000). */
const ENTITIES = Number(process.env.ERASE_DRILL_ENTITIES ?? 10_000);

await describeKafka("erase drill: Kafka, two gateway replicas, one killed mid-erase", (brokers) => {
  test("the erase completes after the kill, --verify finds nothing, and the other tenant is searched throughout", async () => {
    const config = stack.stackConfig(brokers);
    const operator = { OPERATOR_TOKEN };
    // Two replicas on sqlite-vec: each its own file, each indexes every event.
    const dirB = stack.tempDir("gateway-b");
    const a = await stack.startGateway(config, operator);
    let b = await stack.startGateway(
      config,
      { ...operator, DATA_DIR: dirB },
      config.gatewayPort + 100,
    );
    const users = await stack.startUserService(config, operator);
    const tasks = await stack.startTaskService(config, operator);
    const services = (): stack.Running[] => [a, b, users, tasks];
    const explain = () => stack.tail(services());

    const half = Math.floor(ENTITIES / 2);
    await Promise.all([
      createMany(users.url, "tenant-big", half, { concurrency: 16 }),
      createManyTasks(tasks.url, "tenant-big", ENTITIES - half),
    ]);
    await createMany(users.url, "tenant-small", 20);
    for (const gateway of [a, b]) {
      await stack.pointsReaching(gateway.url, "tenant-big", half, 240_000, explain);
      await stack.pointsReaching(
        gateway.url,
        "tenant-big",
        ENTITIES - half,
        240_000,
        explain,
        "tasks",
      );
      await stack.pointsReaching(gateway.url, "tenant-small", 20, 60_000, explain);
    }

    // The other tenant searches replica A the whole time.
    let searching = true;
    const answers: number[] = [];
    const searcher = (async () => {
      while (searching) {
        const response = await fetch(`${a.url}/search?q=Person%203&type=users`, {
          headers: { authorization: "Bearer tenant-small:u1" },
        }).catch(() => null);
        answers.push(response?.status ?? 0);
        await Bun.sleep(20);
      }
    })();

    const env = {
      ...process.env,
      OPERATOR_TOKEN,
      USER_SERVICE_URL: users.url,
      TASK_SERVICE_URL: tasks.url,
      GATEWAY_URLS: `${a.url},${b.url}`,
      DATA_DIRS: [config.userDir, config.taskDir, config.gatewayDir, dirB].join(","),
      DATABASE_URL: "",
      TASK_DATABASE_URL: "",
      QDRANT_URL: "",
      ERASE_TIMEOUT_MS: "180000",
    };
    const erasing = Bun.spawn(
      ["bun", join(ROOT, "scripts", "erase.ts"), "--tenant", "tenant-big"],
      {
        env,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    // kill -9 replica B while its erase runs: its record says running, with steps pending.
    const state = await stack.eventually(
      "replica B erasing",
      async () => {
        const response = await fetch(`${b.url}/admin/erasures/tenant-big`, {
          headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
        }).catch(() => null);
        if (response?.status !== 200) return undefined;
        return ((await response.json()) as { state: string }).state;
      },
      120_000,
      explain,
      5,
    );
    await b.kill9();
    expect(state).toBe("running");
    b = await stack.startGateway(config, { ...operator, DATA_DIR: dirB }, b.port);

    const code = await erasing.exited;
    const out = await new Response(erasing.stdout).text();
    const err = await new Response(erasing.stderr).text();
    expect({ code, err: err.slice(-800) }).toMatchObject({ code: 0 });
    const report = JSON.parse(out) as Record<
      string,
      { state?: string; counts?: Record<string, number> }
    >;
    for (const gateway of [a.url, b.url]) expect(report[gateway]?.state).toBe("done");
    expect(report[a.url]?.counts).toMatchObject({
      "vectors.users": half,
      "vectors.tasks": ENTITIES - half,
    });

    searching = false;
    await searcher;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    for (const gateway of [a, b]) {
      const hits = await search(gateway.url, "tenant-small", "Person 3");
      expect(hits.length).toBeGreaterThan(0);
      expect(await search(gateway.url, "tenant-big", "Person 3")).toEqual([]);
    }

    const verify = Bun.spawnSync(
      ["bun", join(ROOT, "scripts", "erase.ts"), "--verify", "--tenant", "tenant-big"],
      { env },
    );
    expect({ code: verify.exitCode, out: verify.stdout.toString() }).toMatchObject({ code: 0 });
  }, 600_000);
});
