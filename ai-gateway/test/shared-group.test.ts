// Deployments that end up in one consumer group: the group must not make
// them stall each other, and a gateway handed another deployment's partitions must say so.
import { afterEach, expect, test } from "bun:test";
import { encode, makeEvent } from "@event-mesh/contracts";
import { createProducer, ensureTopics } from "@event-mesh/kafka-kit";
import { Consumer } from "@platformatic/kafka";
import { createMany, userPoints } from "../../test/e2e/api.ts";
import * as stack from "../../test/e2e/stack.ts";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { hasQdrantDouble, qdrantDouble } from "./replicas.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await stack.stopAll();
});

/** `/readyz` as an orchestrator sees it: status and body. */
async function readyz(gateway: stack.Running): Promise<{ status: number; body: string }> {
  const response = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

await describeKafka("deployments sharing one consumer group", (brokers) => {
  test.skipIf(!hasQdrantDouble)(
    "two gateways with different prefixes in one group each store all of their own users and none of the other's",
    async () => {
      const a = stack.stackConfig(brokers);
      // The same group on purpose: what a copied KAFKA_GROUP_ID (or the old default) gives.
      const b = { ...stack.stackConfig(brokers), groupId: a.groupId };
      // Each on a store shared with its own replicas (a Qdrant double each): only such gateways
      // join KAFKA_GROUP_ID itself; on sqlite-vec each replica has a group of its own.
      const [storeA, storeB] = [qdrantDouble(), qdrantDouble()];
      if (!storeA || !storeB) throw new Error("no Qdrant double although the test was not skipped");
      cleanups.push(
        async () => storeA.stop(),
        async () => storeB.stop(),
      );
      const gatewayA = await stack.startGateway(a, { QDRANT_URL: storeA.url });
      const gatewayB = await stack.startGateway(b, { QDRANT_URL: storeB.url });
      const usersA = await stack.startUserService(a);
      const usersB = await stack.startUserService(b);
      const explain = () => stack.tail([gatewayA, gatewayB, usersA, usersB]);

      const suffix = crypto.randomUUID().slice(0, 6);
      const [tenantA, tenantB] = [`side-a-${suffix}`, `side-b-${suffix}`];
      await createMany(usersA.url, tenantA, 6);
      await createMany(usersB.url, tenantB, 6);

      expect(await stack.pointsReaching(gatewayA.url, tenantA, 6, 60_000, explain)).toBe(6);
      expect(await stack.pointsReaching(gatewayB.url, tenantB, 6, 60_000, explain)).toBe(6);
      expect(await userPoints(gatewayA.url, tenantB)).toBe(0);
      expect(await userPoints(gatewayB.url, tenantA)).toBe(0);
      expect((await readyz(gatewayA)).status).toBe(200);
      expect((await readyz(gatewayB)).status).toBe(200);
    },
    180_000,
  );

  // A gateway on its own sqlite-vec store reads in a group of its own (one per replica), so
  // only a gateway on a shared store (Qdrant; here its double) joins KAFKA_GROUP_ID itself.
  test.skipIf(!hasQdrantDouble)(
    "a gateway handed another deployment's partition answers /readyz 503 and logs it, commits nothing there, and recovers once that leader leaves",
    async () => {
      const double = qdrantDouble();
      if (!double) throw new Error("no Qdrant double although the test was not skipped");
      cleanups.push(async () => double.stop());
      const config = stack.stackConfig(brokers);
      const foreign = `${randomTopic("other")}.user.events`;
      await ensureTopics({ brokers, topics: [foreign], partitions: 2 });
      // Leads the group with the library's own assigner, which deals its topics to every member.
      const leader = new Consumer({
        clientId: "other-deployment",
        groupId: config.groupId,
        bootstrapBrokers: brokers,
      });
      cleanups.push(() => leader.close(true));
      await leader.consume({ topics: [foreign], autocommit: false, mode: "earliest" });

      // /healthz: its readiness is what this test is about.
      const gateway = await stack.spawn(
        "ai-gateway",
        {
          DATA_DIR: config.gatewayDir,
          KAFKA_BROKERS: brokers.join(","),
          TOPIC_PREFIX: config.topicPrefix,
          KAFKA_GROUP_ID: config.groupId,
          QDRANT_URL: double.url,
        },
        stack.freePort(),
        "/healthz",
      );
      const explain = () => stack.tail([gateway]);
      const notReady = await stack.eventually(
        "/readyz to answer 503",
        async () => {
          const answer = await readyz(gateway);
          return answer.status === 503 ? answer.body : undefined;
        },
        60_000,
        explain,
      );
      expect(JSON.parse(notReady)).toMatchObject({ checks: { kafka: { status: "failed" } } });
      // Why goes to the log only (/readyz is unauthenticated): the foreign partition, named.
      // Log lines are written after the answer (once per event-loop turn): wait for them.
      const logged = () => gateway.lines.filter((line) => line.includes(`${foreign}:`));
      await stack.eventually(
        "the probe failure naming the foreign partition in the log",
        async () => (logged().some((line) => line.includes('"probe failed"')) ? true : undefined),
        10_000,
        explain,
      );
      expect(logged().some((line) => line.includes("topics this gateway does not consume"))).toBe(
        true,
      );

      const producer = createProducer({ brokers, clientId: "shared-group-producer" });
      cleanups.push(() => producer.close());
      const tenant = `foreign-${crypto.randomUUID().slice(0, 6)}`;
      const event = (id: number, topicPrefix: string) => {
        const record = encode(
          makeEvent("user.created", {
            tenantId: tenant,
            source: "urn:test:shared-group",
            data: { id, name: `User ${id}`, email: `u${id}@${tenant}.dev`, tenantId: tenant },
          }),
          { topicPrefix },
        );
        return { ...record, headers: new Map(Object.entries(record.headers)) };
      };
      const onForeign = event(1, "");
      await producer.send({
        messages: [0, 1].map((partition) => ({ ...onForeign, topic: foreign, partition })),
      });

      // The other deployment leaves: alone in the group, the gateway holds its own topics.
      await leader.close(true);
      await stack.eventually(
        "/readyz to answer 200 again",
        async () => ((await readyz(gateway)).status === 200 ? true : undefined),
        60_000,
        explain,
      );
      await producer.send({ messages: [event(2, config.topicPrefix)] });
      expect(await stack.pointsReaching(gateway.url, tenant, 1, 60_000, explain)).toBe(1);

      // Nothing of the foreign topic was stored or committed by the gateway's group.
      const check = new Consumer({
        clientId: "offset-check",
        groupId: config.groupId,
        bootstrapBrokers: brokers,
      });
      cleanups.push(() => check.close(true));
      const offsets = await check.listCommittedOffsets({
        topics: [{ topic: foreign, partitions: [0, 1] }],
      });
      expect(offsets.get(foreign)).toEqual([-1n, -1n]);
      expect(await userPoints(gateway.url, tenant)).toBe(1);
    },
    180_000,
  );
});
