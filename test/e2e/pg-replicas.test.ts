/**
 * Drill: two user-service replicas on one Postgres (users + outbox), one gateway, Kafka.
 * Writes go round-robin over the replicas, and one replica's bun process is killed with -9
 * mid-run. Its relay's shards pass to the survivor, which sends what was left in the outbox.
 */
import { afterEach, expect, test } from "bun:test";
import { describeKafka } from "../kafka-broker.ts";
import { describePostgres, freshDatabase, postgresUrl } from "../pg-server.ts";
import { gatewayMatchesSource, watchVersions } from "./gateway-view.ts";
import * as stack from "./stack.ts";
import { Replicas, runWorkload } from "./workload.ts";

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await stack.stopAll();
  for (const drop of drops.splice(0)) await drop();
});

const serverUrl = await postgresUrl();
if (serverUrl === null) {
  await describePostgres("two user-service replicas on one Postgres", () => {});
} else {
  await describeKafka("two user-service replicas on one Postgres", (brokers) => {
    test("a replica killed with -9 mid-run loses nothing: the survivor's relay sends its rows", async () => {
      const db = await freshDatabase(serverUrl, "drill");
      drops.push(db.drop);
      const config = stack.stackConfig(brokers);
      const gateway = await stack.startGateway(config);
      const tenant = `replicas-${crypto.randomUUID().slice(0, 6)}`;
      const replicaEnv = {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: brokers.join(","),
        TOPIC_PREFIX: config.topicPrefix,
        // Small batches and quick rebalancing: rows wait in the outbox while the load runs.
        RELAY_BATCH_MAX: "5",
        RELAY_REBALANCE_MS: "200",
      };
      const [one, two] = await Promise.all([
        stack.spawn("user-service", { ...replicaEnv, DATA_DIR: config.userDir }, stack.freePort()),
        stack.spawn("user-service", { ...replicaEnv, DATA_DIR: config.userDir }, stack.freePort()),
      ]);
      const services: stack.Running[] = [one, two, gateway];
      await stack.eventually("both relays to hold shards", async () =>
        (await stack.metric(one, "user_service_outbox_shards_held")) > 0 &&
        (await stack.metric(two, "user_service_outbox_shards_held")) > 0
          ? true
          : undefined,
      );
      const versions = watchVersions(config.gatewayDir, tenant);
      const replicas = new Replicas([one.url, two.url]);
      let killedWith: { depth: number; shards: number } | undefined;
      const written = await runWorkload(replicas, tenant, {
        creates: 300,
        operations: 900,
        concurrency: 12,
        onProgress: async (done) => {
          if (done !== 450 || killedWith) return;
          killedWith = {
            depth: await stack.metric(two, "user_service_outbox_depth_events"),
            shards: await stack.metric(two, "user_service_outbox_shards_held"),
          };
          replicas.drop(two.url);
          await two.kill9();
        },
      });
      expect(killedWith?.shards).toBeGreaterThan(0);
      // Only refusals the workload can cause itself: a delete retried after a killed answer.
      expect([...written.refused.keys()].filter((status) => status !== 404)).toEqual([]);

      await stack.eventually("the survivor to hold every shard", async () =>
        (await stack.metric(one, "user_service_outbox_shards_held")) === 32 ? true : undefined,
      );
      const count = await gatewayMatchesSource(config.gatewayDir, one.url, tenant, () =>
        stack.tail(services),
      );
      expect(count).toBe(written.live.size);
      await stack.eventually("an empty outbox", async () =>
        (await stack.metric(one, "user_service_outbox_depth_events")) === 0 ? true : undefined,
      );
      await versions.stop();
      expect(versions.samples()).toBeGreaterThan(0);
      expect(versions.regressions).toEqual([]);
      console.log(
        `[drill] killed a replica holding ${killedWith?.shards} shards with ${killedWith?.depth} events waiting; ${count} users converged`,
      );
    }, 300_000);
  });
}
