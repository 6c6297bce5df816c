import { afterEach, expect, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { createMany, listUsers, userPoints } from "./api.ts";
import * as stack from "./stack.ts";

afterEach(stack.stopAll);

/** The `user.events` partitions a gateway holds after its last group join, from its log. */
function assignedUserPartitions(gateway: stack.Running, topic: string): number[] | undefined {
  for (let i = gateway.lines.length - 1; i >= 0; i--) {
    const line = gateway.lines[i] ?? "";
    if (!line.includes('"joined consumer group"')) continue;
    const { assignments } = JSON.parse(line) as { assignments?: string[] };
    const mine = (assignments ?? []).find((entry) => entry.startsWith(`${topic}:`));
    return mine
      ? mine
          .slice(topic.length + 1)
          .split(",")
          .map(Number)
      : [];
  }
  return undefined;
}

const indexed = (gateway: stack.Running) =>
  stack.metric(gateway, "ai_gateway_events_total", { type: "user.created", source: "kafka" });

await describeKafka("two ai-gateways in one consumer group", (brokers) => {
  test("share the partitions, index every user once, and one finishes alone when the other dies", async () => {
    // Both gateways use one sqlite-vec file (one DATA_DIR), as replicas share one Qdrant.
    const config = stack.stackConfig(brokers);
    const topic = `${config.topicPrefix}user.events`;
    const first = await stack.startGateway(config);
    const second = await stack.startGateway(config, {}, stack.freePort());
    const users = await stack.startUserService(config);
    const explain = () => stack.tail([users, first, second]);

    // Wait for the group to settle: 3 partitions split between the two, none held twice.
    await stack.eventually(
      "both gateways to hold a share of the partitions",
      async () => {
        const a = assignedUserPartitions(first, topic) ?? [];
        const b = assignedUserPartitions(second, topic) ?? [];
        const all = [...a, ...b].sort();
        return a.length > 0 && b.length > 0 && all.join() === "0,1,2" ? true : undefined;
      },
      60_000,
      explain,
    );

    const tenant = `group-${crypto.randomUUID().slice(0, 6)}`;
    await createMany(users.url, tenant, 600);
    await stack.eventually(
      "600 points",
      async () => ((await userPoints(first.url, tenant)) >= 600 ? true : undefined),
      60_000,
      explain,
    );
    expect(await userPoints(second.url, tenant)).toBe(600);
    // The counters move just after a batch is stored: wait for them to account for all 600.
    const counted = async () => (await indexed(first)) + (await indexed(second));
    await stack.eventually(
      "the gateways' counters to reach 600",
      async () => ((await counted()) >= 600 ? true : undefined),
      30_000,
      explain,
    );
    const [byFirst, bySecond] = [await indexed(first), await indexed(second)];
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    // Once: no event was processed by both.
    expect(byFirst + bySecond).toBe(600);

    // The first dies; the second takes over its partitions (after the session timeout) and
    // indexes what arrives meanwhile.
    await first.kill9();
    await createMany(users.url, tenant, 400, { from: 600 });
    await stack.eventually(
      "the second gateway to hold all partitions",
      async () => (assignedUserPartitions(second, topic)?.join() === "0,1,2" ? true : undefined),
      60_000,
      explain,
    );
    const points = await stack.pointsReaching(second.url, tenant, 1000, 90_000, explain);
    expect(points).toBe(1000);
    expect((await listUsers(users.url, tenant)).length).toBe(1000);
  }, 240_000);
});
