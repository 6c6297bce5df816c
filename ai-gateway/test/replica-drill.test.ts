// Drills with real processes: two gateway replicas and one user-service on
// Kafka, once with a store per gateway (sqlite-vec) and once with a shared store (the Qdrant
// double). One gateway is killed with -9 mid-stream and started again; every ready replica must
// then answer the whole truth: each user of the source at its latest version, no deleted one.
import { afterEach, expect, test } from "bun:test";
import { createMany, deleteUser, listUsers, renameUser, type User } from "../../test/e2e/api.ts";
import * as stack from "../../test/e2e/stack.ts";
import { describeKafka } from "../../test/kafka-broker.ts";
import { answersWholeTruth, hasQdrantDouble, qdrantDouble, stopQdrantDoubles } from "./replicas.ts";

afterEach(async () => {
  await stack.stopAll();
  stopQdrantDoubles();
});

/** The store of a drill: `{}` → each gateway its sqlite-vec file; else the shared double. */
function storeEnv(mode: "embedded" | "qdrant"): Record<string, string> | null {
  if (mode === "embedded") return {};
  const double = qdrantDouble();
  if (!double) return null;
  return { QDRANT_URL: double.url };
}

const modes = [
  { mode: "embedded", title: "a sqlite-vec store per gateway", skip: false },
  { mode: "qdrant", title: "a shared store (Qdrant double)", skip: !hasQdrantDouble },
] as const;

await describeKafka("gateway replica drills", (brokers) => {
  for (const { mode, title, skip } of modes) {
    test.skipIf(skip)(
      `${title}: one of two gateways killed -9 mid-stream and restarted; both answer every user at its latest version and no deleted one`,
      async () => {
        const store = storeEnv(mode);
        if (!store) throw new Error(`no ${mode} store although the test was not skipped`);
        const config = stack.stackConfig(brokers);
        const secondDir = stack.tempDir("gateway-2");
        const first = await stack.startGateway(config, store);
        const second = await stack.startGateway(
          config,
          { ...store, DATA_DIR: secondDir },
          stack.freePort(),
        );
        const users = await stack.startUserService(config);
        const tenant = `drill-${crypto.randomUUID().slice(0, 6)}`;

        // The stream: 60 creations, then renames (some twice) and deletions, with the second
        // gateway killed a third of the way through and started again at two thirds.
        const created = await createMany(users.url, tenant, 60);
        const changes: (() => Promise<unknown>)[] = [];
        created.forEach((user: User, i) => {
          if (i % 5 === 0) changes.push(() => deleteUser(users.url, tenant, user.id));
          else if (i % 3 === 0) {
            changes.push(() => renameUser(users.url, tenant, user.id, `${user.name} v2`));
            changes.push(() => renameUser(users.url, tenant, user.id, `${user.name} v3`));
          } else if (i % 2 === 0)
            changes.push(() => renameUser(users.url, tenant, user.id, `${user.name} v2`));
        });
        let restarted: Promise<stack.Running> | null = null;
        for (const [i, change] of changes.entries()) {
          if (i === Math.floor(changes.length / 3)) await second.kill9();
          if (i === Math.floor((2 * changes.length) / 3))
            restarted = stack.startGateway(
              config,
              { ...store, DATA_DIR: secondDir },
              stack.freePort(),
            );
          await change();
        }
        if (!restarted) throw new Error("the second gateway was not restarted");
        const again: stack.Running = await restarted;

        const source = await listUsers(users.url, tenant);
        expect(source.length).toBe(48);
        const explain = () => stack.tail([users, first, again]);
        for (const gateway of [first, again])
          await answersWholeTruth(gateway.url, tenant, source, explain);
      },
      240_000,
    );
  }

  for (const { mode, title, skip } of modes) {
    test.skipIf(skip)(
      `${title}: three gateways started at the same moment against an empty store all become ready`,
      async () => {
        const store = storeEnv(mode);
        if (!store) throw new Error(`no ${mode} store although the test was not skipped`);
        const config = stack.stackConfig(brokers);
        const gateways = await Promise.all(
          [0, 1, 2].map((i) =>
            stack.spawn(
              "ai-gateway",
              {
                DATA_DIR: i === 0 ? config.gatewayDir : stack.tempDir(`gateway-${i}`),
                KAFKA_BROKERS: brokers.join(","),
                TOPIC_PREFIX: config.topicPrefix,
                KAFKA_GROUP_ID: config.groupId,
                ...store,
              },
              stack.freePort(),
            ),
          ),
        );
        // stack.spawn waited for /readyz 200 of each; and each indexes what the source writes.
        const users = await stack.startUserService(config);
        const tenant = `race-${crypto.randomUUID().slice(0, 6)}`;
        const created = await createMany(users.url, tenant, 10);
        for (const gateway of gateways)
          await answersWholeTruth(gateway.url, tenant, created, () =>
            stack.tail([users, ...gateways]),
          );
      },
      180_000,
    );
  }
});
