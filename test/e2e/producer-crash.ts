/**
 * A producer killed with kill -9 on Kafka, twice: first with an outbox that was never sent,
 * then while its relay is busy. After the restart every entity reaches the gateway exactly
 * once. One scenario for every producer (user-service, task-service).
 */
import { expect } from "bun:test";
import * as stack from "./stack.ts";

/** What differs between producers: which one, how it creates and counts its entities. */
export interface CrashSubject {
  name: "user-service" | "task-service";
  collection: "users" | "tasks";
  /** Creates `count` entities in `tenant`, numbered from `from`. */
  createMany(url: string, tenant: string, count: number, from: number): Promise<unknown>;
  /** How many entities of `tenant` the producer holds. */
  count(url: string, tenant: string): Promise<number>;
}

export async function checkCrashTwiceOnKafka(
  brokers: string[],
  subject: CrashSubject,
): Promise<void> {
  const config: stack.StackConfig = stack.stackConfig(brokers);
  const gateway = await stack.startGateway(config);
  const tenant = `outbox-${crypto.randomUUID().slice(0, 6)}`;
  const depth = `${subject.name.replace("-", "_")}_outbox_depth_events`;
  const start = (extra: Record<string, string> = {}, readyPath = "/readyz") =>
    stack.startProducer(config, subject.name, extra, readyPath);

  // First life: its broker address leads nowhere, so every event stays in the outbox (the
  // writes still succeed). The outbox is certainly not empty when the process is killed.
  const first = await start({ KAFKA_BROKERS: `127.0.0.1:${stack.freePort()}` }, "/healthz");
  await subject.createMany(first.url, tenant, 300, 0);
  expect(await stack.metric(first, depth)).toBe(300);
  await first.kill9();

  // Second life, on the real broker: the outbox drains; more entities arrive meanwhile, and the
  // process is killed again while its relay is busy (one event per send).
  const second = await start({ RELAY_BATCH_MAX: "1" });
  await subject.createMany(second.url, tenant, 300, 300);
  await second.kill9();

  const third = await start();
  const expected = await subject.count(third.url, tenant);
  expect(expected).toBe(600);
  const points = await stack.pointsReaching(
    gateway.url,
    tenant,
    expected,
    90_000,
    () => stack.tail([third, gateway]),
    subject.collection,
  );
  expect(points).toBe(expected);
  await stack.eventually("an empty outbox", async () =>
    (await stack.metric(third, depth)) === 0 ? true : undefined,
  );
}
