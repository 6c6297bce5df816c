import { afterEach, expect, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { createMany, listUsers, search } from "./api.ts";
import * as stack from "./stack.ts";

afterEach(stack.stopAll);

const TOTAL = 2_000;

await describeKafka("ai-gateway killed with kill -9 on Kafka", (brokers) => {
  test(`loses and duplicates nothing of ${TOTAL} users created meanwhile`, async () => {
    const { config, users, gateway } = await stack.startStack(brokers);
    const tenant = `crash-${crypto.randomUUID().slice(0, 6)}`;
    let current: stack.Running = gateway;
    let restarted: Promise<stack.Running> | null = null;

    // The gateway dies a quarter of the way in and comes back at the half: every POST must
    // still succeed, since user-service only talks to Kafka.
    const created = await createMany(users.url, tenant, TOTAL, {
      onCreated: async (total) => {
        if (total === TOTAL / 4) await gateway.kill9();
        if (total === TOTAL / 2) restarted = stack.startGateway(config);
      },
    });
    expect(created).toHaveLength(TOTAL);
    expect(restarted).not.toBeNull();
    current = await (restarted as unknown as Promise<stack.Running>);

    const points = await stack.pointsReaching(current.url, tenant, TOTAL, 120_000, () =>
      stack.tail([users, current]),
    );
    // One point per user that exists: none lost, none doubled.
    expect(points).toBe(TOTAL);
    expect((await listUsers(users.url, tenant)).length).toBe(TOTAL);
    // Spot checks across the run (before, during and after the crash) find the right person.
    for (const user of [created[0], created[TOTAL / 4 + 3], created[TOTAL - 1]]) {
      if (!user) throw new Error("missing user");
      const hits = await search(current.url, tenant, user.name, 3);
      expect(hits.map((hit) => hit.id)).toContain(user.id);
    }
  }, 240_000);
});
