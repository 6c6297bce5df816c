/**
 * Drill: Postgres restarted under load. The test starts a Postgres of its own (its own data
 * folder and port, never the shared one), runs user-service on it with Kafka and a gateway,
 * stops Postgres mid-run and starts it again. Writes meanwhile answer 503, never 500; the
 * relay resumes after, and the gateway ends up with every user the source holds.
 */
import { afterEach, expect, test } from "bun:test";
import { startPg, stopPg } from "../../scripts/pg/server.ts";
import { describeKafka } from "../kafka-broker.ts";
import { describePostgres, postgresUrl } from "../pg-server.ts";
import { gatewayMatchesSource, watchVersions } from "./gateway-view.ts";
import * as stack from "./stack.ts";
import { Replicas, runWorkload } from "./workload.ts";

const own: Array<{ root: string; port: number }> = [];
afterEach(async () => {
  await stack.stopAll();
  for (const server of own.splice(0)) await stopPg(server);
});

// Postgres binaries come with the shared server's set-up; without them this drill skips too.
const shared = await postgresUrl();
if (shared === null) {
  await describePostgres("Postgres restarted mid-run", () => {});
} else {
  await describeKafka("Postgres restarted mid-run", (brokers) => {
    test("writes answer 503 while it is down, the relay resumes after, nothing is lost", async () => {
      const server = { root: stack.tempDir("pg"), port: stack.freePort() };
      own.push(server);
      const { url } = await startPg(server);
      const config = stack.stackConfig(brokers);
      const gateway = await stack.startGateway(config);
      const users = await stack.spawn(
        "user-service",
        {
          DATA_DIR: config.userDir,
          DATABASE_URL: url,
          KAFKA_BROKERS: brokers.join(","),
          TOPIC_PREFIX: config.topicPrefix,
          RELAY_BATCH_MAX: "5",
        },
        stack.freePort(),
      );
      const services: stack.Running[] = [users, gateway];
      const tenant = `pg-restart-${crypto.randomUUID().slice(0, 6)}`;
      const versions = watchVersions(config.gatewayDir, tenant);
      const replicas = new Replicas([users.url]);
      // The outage is checked inside onProgress: the test fails unless that check ran.
      let outageChecked = false;
      const written = await runWorkload(replicas, tenant, {
        creates: 150,
        operations: 400,
        concurrency: 8,
        onProgress: async (done) => {
          if (done !== 200) return;
          await stopPg(server);
          // Writes while it is down: each one answered, with 503.
          const down = await runWorkload(replicas, tenant, {
            creates: 20,
            operations: 20,
            concurrency: 4,
          });
          expect(down.live.size).toBe(0);
          expect([...down.refused.entries()]).toEqual([[503, 20]]);
          const ready = await fetch(`${users.url}/readyz`);
          expect(ready.status).toBe(503);
          await startPg(server);
          outageChecked = true;
        },
      });
      expect(outageChecked).toBe(true);
      // After the restart some writes may still meet a dropped pooled connection: 503 too.
      expect([...written.refused.keys()].filter((status) => status !== 503)).toEqual([]);
      await stack.eventually("readiness after the restart", async () =>
        (await fetch(`${users.url}/readyz`)).status === 200 ? true : undefined,
      );
      await gatewayMatchesSource(config.gatewayDir, users.url, tenant, () => stack.tail(services));
      await stack.eventually("an empty outbox", async () =>
        (await stack.metric(users, "user_service_outbox_depth_events")) === 0 ? true : undefined,
      );
      await versions.stop();
      expect(versions.regressions).toEqual([]);
      expect(users.lines.some((line) => line.includes('"status":500'))).toBe(false);
    }, 300_000);
  });
}
