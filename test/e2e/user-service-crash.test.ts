import { afterEach, expect, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { createMany, listUsers } from "./api.ts";
import {
  eventually,
  freePort,
  metric,
  pointsReaching,
  type Running,
  stackConfig,
  startGateway,
  startUserService,
  stopAll,
  tail,
} from "./stack.ts";

afterEach(stopAll);

await describeKafka("user-service killed with kill -9 on Kafka", (brokers) => {
  test("an outbox that was not sent yet goes out after the restart, once", async () => {
    const config = stackConfig(brokers);
    const gateway = await startGateway(config);
    const tenant = `outbox-${crypto.randomUUID().slice(0, 6)}`;

    // First life: its broker address leads nowhere, so every event stays in the outbox (the
    // writes still succeed). The outbox is certainly not empty when the process is killed.
    const nowhere = `127.0.0.1:${freePort()}`;
    const first = await startUserService(config, { KAFKA_BROKERS: nowhere }, "/healthz");
    await createMany(first.url, tenant, 300);
    expect(await metric(first, "user_service_outbox_depth_events")).toBe(300);
    await first.kill9();

    // Second life, on the real broker: the outbox drains; more users arrive meanwhile, and the
    // process is killed again while its relay is busy (one event per send).
    const second = await startUserService(config, { RELAY_BATCH_MAX: "1" });
    await createMany(second.url, tenant, 300, { concurrency: 16, from: 300 });
    await second.kill9();

    const third: Running = await startUserService(config);
    const expected = (await listUsers(third.url, tenant)).length;
    expect(expected).toBe(600);
    const points = await pointsReaching(gateway.url, tenant, expected, 90_000, () =>
      tail([third, gateway]),
    );
    expect(points).toBe(expected);
    await eventually("an empty outbox", async () =>
      (await metric(third, "user_service_outbox_depth_events")) === 0 ? true : undefined,
    );
  }, 180_000);
});
