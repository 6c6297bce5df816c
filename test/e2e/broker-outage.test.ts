import { afterEach, expect, test } from "bun:test";
import { startBroker, stopBroker } from "../../scripts/kafka.ts";
import { describeKafka, restartBlocker } from "../kafka-broker.ts";
import { createMany, createUser, listUsers } from "./api.ts";
import { pointsReaching, startStack, stopAll, tail } from "./stack.ts";

afterEach(stopAll);

const OUTAGE_MS = 10_000;
// Only the local broker of scripts/kafka.ts, and only while no other test run uses it.
const blocker = await restartBlocker();

await describeKafka("the Kafka broker stops for 10 s", (brokers) => {
  test.skipIf(blocker !== null)(
    "every POST still answers 201 and every user is indexed once after the broker is back",
    async () => {
      const { users, gateway } = await startStack(brokers);
      const tenant = `outage-${crypto.randomUUID().slice(0, 6)}`;
      await createMany(users.url, tenant, 100);

      let during = 0;
      await stopBroker();
      try {
        // user-service writes to its outbox; the relay retries until the broker is back.
        const end = Date.now() + OUTAGE_MS;
        while (Date.now() < end) {
          await createUser(users.url, tenant, {
            name: `Outage ${during} ${tenant}`,
            email: `outage-${during}@${tenant}.dev`,
          });
          during++;
          // A steady trickle, not a flood: the point is the outage, not the backlog.
          await Bun.sleep(20);
        }
      } finally {
        // Whatever failed above, later tests need the broker.
        await startBroker();
      }
      expect(during).toBeGreaterThan(0);
      await createMany(users.url, tenant, 100, { from: 100 });

      const expected = 200 + during;
      expect((await listUsers(users.url, tenant)).length).toBe(expected);
      const points = await pointsReaching(gateway.url, tenant, expected, 120_000, () =>
        tail([users, gateway]),
      );
      expect(points).toBe(expected);
    },
    240_000,
  );
});
