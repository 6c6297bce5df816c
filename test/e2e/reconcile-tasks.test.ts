/**
 * Reconciliation over tasks: task-service serves the snapshot routes like user-service, so the
 * gateway finds a task it lost and a forged task version, and a repair puts both right.
 */
import { afterEach, expect, test } from "bun:test";
import { HashingEmbedder } from "../../ai-gateway/src/embedders/hashing.ts";
import { pointId } from "../../ai-gateway/src/vectors/point-id.ts";
import { search } from "./api.ts";
import { driftTotal, reconcile, RECONCILE_TOKEN as TOKEN } from "./reconcile-api.ts";
import { sqliteHandle } from "./reconcile-stores.ts";
import * as stack from "./stack.ts";
import { createTask } from "./task-api.ts";

const TENANT = "rec-tasks";
afterEach(stack.stopAll);

test("a lost task and a forged task version are found in the tasks collection and repaired from task-service", async () => {
  const config = stack.stackConfig();
  const store = sqliteHandle(config.gatewayDir);
  const gatewayEnv = {
    OPERATOR_TOKEN: TOKEN,
    RECONCILE_SOURCES: `user-service=http://127.0.0.1:${config.userPort},task-service=http://127.0.0.1:${config.taskPort}`,
  };
  let gateway = await stack.startGateway(config, gatewayEnv);
  const users = await stack.startUserService(config, { OPERATOR_TOKEN: TOKEN });
  const tasks = await stack.startTaskService(config, {
    OPERATOR_TOKEN: TOKEN,
    USER_SERVICE_URL: users.url,
  });
  const explain = () => stack.tail([gateway, users, tasks]);
  const lost = await createTask(tasks.url, TENANT, { title: "Renew the office lease" });
  const forged = await createTask(tasks.url, TENANT, { title: "Order new laptops" });
  const searchable = async (title: string, id: string) =>
    (await search(gateway.url, TENANT, title, 5, undefined, "tasks")).some(
      (hit) => hit.id === id,
    ) || undefined;
  await stack.eventually(
    "both tasks searchable",
    async () => (await searchable("lease", lost.id)) && (await searchable("laptops", forged.id)),
    60_000,
    explain,
  );
  await gateway.stop(10_000);

  const embedder = new HashingEmbedder(384);
  await store.edit(async (vectors) => {
    await vectors.purge("tasks", TENANT, [lost.id]);
    const data = {
      id: forged.id,
      tenantId: TENANT,
      title: "Forged title",
      description: "",
      status: "open",
    };
    await vectors.write("tasks", {
      upserts: [
        {
          id: pointId("tasks", TENANT, forged.id),
          tenantId: TENANT,
          entityId: forged.id,
          version: 99,
          vector: embedder.embedOne("Forged title"),
          text: "Forged title",
          filters: { status: "open" },
          data,
        },
      ],
      deletes: [],
    });
  });
  gateway = await stack.startGateway(config, gatewayEnv);

  const report = await reconcile(gateway.url, { tenant: TENANT });
  expect(report.collections.tasks?.missing.first).toEqual([`${TENANT}/${lost.id}`]);
  expect(report.collections.tasks?.ahead.first).toEqual([`${TENANT}/${forged.id}`]);

  await reconcile(gateway.url, { tenant: TENANT, repair: true });
  await stack.eventually(
    "a reconcile run with no drift in tasks",
    async () => {
      const report = await reconcile(gateway.url, { tenant: TENANT });
      return driftTotal(report, "tasks") === 0 ? true : undefined;
    },
    60_000,
    explain,
  );
  const hits = await search(gateway.url, TENANT, "laptops", 5, undefined, "tasks");
  expect(hits.find((hit) => hit.id === forged.id)?.data.title).toBe("Order new laptops");
  expect(await searchable("lease", lost.id)).toBe(true);
}, 120_000);
