// Gateway replicas that agree: embedded replicas each hold every
// entity, and GET /usage answers the total of every replica on any of them.
import { afterEach, expect, test } from "bun:test";
import { createMany, userPoints } from "../../test/e2e/api.ts";
import * as stack from "../../test/e2e/stack.ts";
import { describeKafka } from "../../test/kafka-broker.ts";
import { hasQdrantDouble, qdrantDouble, stopQdrantDoubles } from "./replicas.ts";

afterEach(async () => {
  await stack.stopAll();
  stopQdrantDoubles();
});

/** The consumer group the gateway logged at start (`ai-gateway started`). */
function loggedGroup(gateway: stack.Running): string | undefined {
  const line = gateway.lines.find((entry) => entry.includes('"ai-gateway started"'));
  return line ? (JSON.parse(line) as { groupId?: string }).groupId : undefined;
}

/**
 * Waits until the gateway has counted exactly `count` user.created events from Kafka (the stack.metric
 * moves just after the store answers, so it may trail /stats by a moment); more fails at once.
 */
async function indexedExactly(gateway: stack.Running, count: number, explain: () => string) {
  await stack.eventually(
    `${gateway.url} to have indexed ${count} user.created events`,
    async () => {
      const seen = await stack.metric(gateway, "ai_gateway_events_total", {
        type: "user.created",
        source: "kafka",
      });
      if (seen > count) throw new Error(`indexed ${seen} user.created events, more than ${count}`);
      return seen === count ? true : undefined;
    },
    30_000,
    explain,
  );
}

/** `GET /usage` of the tenant on one gateway. */
async function usageOn(gateway: stack.Running, tenant: string): Promise<unknown> {
  const response = await fetch(`${gateway.url}/usage`, {
    headers: { authorization: `Bearer ${tenant}:e2e-user` },
  });
  return (await response.json()) as unknown;
}

async function searchOn(gateway: stack.Running, tenant: string): Promise<void> {
  const response = await fetch(`${gateway.url}/search?q=alice&type=users`, {
    headers: { authorization: `Bearer ${tenant}:e2e-user` },
  });
  expect(response.status).toBe(200);
}

await describeKafka("gateway replicas on Kafka", (brokers) => {
  test("two gateways on their own sqlite-vec stores, one KAFKA_GROUP_ID: each holds all 20 users; a restarted one keeps its group and reads nothing again", async () => {
    const config = stack.stackConfig(brokers);
    const first = await stack.startGateway(config);
    const secondDir = stack.tempDir("gateway-2");
    const second = await stack.startGateway(config, { DATA_DIR: secondDir }, stack.freePort());
    const users = await stack.startUserService(config);
    const explain = () => stack.tail([users, first, second]);
    const tenant = `replica-${crypto.randomUUID().slice(0, 6)}`;
    await createMany(users.url, tenant, 20);

    // Each replica reads every partition: both answer all 20, not 10 each.
    expect(await stack.pointsReaching(first.url, tenant, 20, 60_000, explain)).toBe(20);
    expect(await stack.pointsReaching(second.url, tenant, 20, 60_000, explain)).toBe(20);
    await indexedExactly(first, 20, explain);
    await indexedExactly(second, 20, explain);
    const group = loggedGroup(second);
    expect(group).toStartWith(`${config.groupId}.`);
    expect(loggedGroup(first)).not.toBe(group);

    // Restarted on its DATA_DIR: the same group, so it resumes from its commits instead of
    // reading (and embedding, and metering) everything again.
    await second.stop();
    const again = await stack.startGateway(config, { DATA_DIR: secondDir }, stack.freePort());
    expect(loggedGroup(again)).toBe(group);
    await createMany(users.url, tenant, 1, { from: 20 });
    expect(await stack.pointsReaching(again.url, tenant, 21, 60_000, explain)).toBe(21);
    await indexedExactly(again, 1, explain);
    expect(await userPoints(first.url, tenant)).toBe(21);
  }, 180_000);

  test.skipIf(!hasQdrantDouble)(
    "two gateways in one group on a shared store: GET /usage on either answers the searches sent to both",
    async () => {
      const double = qdrantDouble();
      if (!double) throw new Error("no Qdrant double although the test was not skipped");
      const config = stack.stackConfig(brokers);
      const shared = { QDRANT_URL: double.url };
      const secondDir = stack.tempDir("gateway-2");
      const first = await stack.startGateway(config, shared);
      const second = await stack.startGateway(
        config,
        { ...shared, DATA_DIR: secondDir },
        stack.freePort(),
      );
      const tenant = `usage-${crypto.randomUUID().slice(0, 6)}`;
      for (let i = 0; i < 3; i++) await searchOn(first, tenant);
      for (let i = 0; i < 2; i++) await searchOn(second, tenant);

      const answering = async (gateways: stack.Running[], searches: number) => {
        // No events for this tenant: today's embeddings quota is untouched (and unlimited).
        const quota = { embeddingsPerDay: null, embeddingsToday: 0, heldToday: 0 };
        const total = { tenantId: tenant, usage: { embeddings: 0, searches }, quota };
        for (const gateway of gateways) {
          let last: unknown = null;
          await stack.eventually(
            `/usage on ${gateway.url} to count the ${searches} searches sent to both`,
            async () => {
              last = await usageOn(gateway, tenant);
              return Bun.deepEquals(last, total) ? true : undefined;
            },
            30_000,
            () => `last: ${JSON.stringify(last)} ${stack.tail(gateways)}`,
          );
        }
      };
      await answering([first, second], 5);
      // Both split the partitions of one group: a shared store needs no copy per replica.
      expect(loggedGroup(first)).toBe(config.groupId);
      expect(loggedGroup(second)).toBe(config.groupId);

      // Restarted on its DATA_DIR, a replica neither loses nor counts again what it counted.
      await second.stop();
      const again = await stack.startGateway(
        config,
        { ...shared, DATA_DIR: secondDir },
        stack.freePort(),
      );
      await searchOn(again, tenant);
      await answering([first, again], 6);
    },
    180_000,
  );
});
