import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode, makeEvent } from "@event-mesh/contracts";
import { createConsumer, createProducer, type MeshMessage } from "@event-mesh/kafka-kit";
import { createLogger, eventually } from "@event-mesh/service-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { readConfig } from "../src/config.ts";
import { startGateway } from "../src/main.ts";
import { committed } from "./offsets.ts";

type Gateway = Awaited<ReturnType<typeof startGateway>>;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function config(brokers: string[], prefix: string, group: string, dataDir: string) {
  const parsed = readConfig({
    DATA_DIR: dataDir,
    KAFKA_BROKERS: brokers.join(","),
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: "2",
    KAFKA_GROUP_ID: group,
    BATCH_WAIT_MS: "50",
    LOG_LEVEL: "warn",
  });
  // PORT=0 (any free port) is refused by the schema on purpose; tests set it after parsing.
  return { ...parsed, PORT: 0 };
}

async function gateway(
  cfg: ReturnType<typeof config>,
  hooks = {},
  shutdownAtEnd = true,
): Promise<Gateway> {
  const gw = await startGateway(cfg, {
    hooks,
    handleSignals: false,
    exit: () => {},
    logger: createLogger({ name: "ai-gateway-test", level: "warn" }),
  });
  if (shutdownAtEnd) cleanups.push(() => gw.shutdown("test end"));
  return gw;
}

const source = "urn:test:kafka";
const user = (prefix: string, tenantId: string, id: number, name: string, version = 1) =>
  encode(
    makeEvent(version === 1 ? "user.created" : "user.updated", {
      tenantId,
      source,
      version,
      data: { id, name, email: `u${id}@${tenantId}.dev`, tenantId },
    }),
    { topicPrefix: prefix },
  );

await describeKafka("ai-gateway against a real Kafka broker", (brokers) => {
  test("valid messages become searchable, poison ones go to user.events.dlq, offsets move past both", async () => {
    const prefix = `${randomTopic("gw")}.`;
    const group = randomTopic("gw-group");
    const gw = await gateway(config(brokers, prefix, group, mkdtempSync(join(tmpdir(), "gw-"))));
    const producer = createProducer({ brokers, clientId: "test-producer" });
    cleanups.push(() => producer.close());
    const topic = `${prefix}user.events`;
    const valid = [
      user(prefix, "tenant-a", 1, "Kafka Karla"),
      user(prefix, "tenant-a", 2, "Kafka Kurt"),
    ];
    const poison = [
      {
        topic,
        key: "tenant-a/9",
        value: "{not json",
        headers: { ce_type: "user.created", ce_id: "p1" },
      },
      {
        topic,
        key: "tenant-a/8",
        value: JSON.stringify({ id: 8, tenantId: "tenant-a" }),
        headers: { ce_type: "user.created" },
      },
    ];
    await producer.send({
      messages: [...valid, ...poison].map((m) => ({
        ...m,
        topic,
        headers: new Map(Object.entries(m.headers)),
      })),
    });

    const hits = await eventually("the valid users to be stored", async () => {
      const found = await gw.store.search(
        "users",
        "tenant-a",
        new Float32Array(384).fill(1 / Math.sqrt(384)),
        10,
      );
      return found.length === 2 ? found : undefined;
    });
    expect(hits.map((hit) => hit.data.name).sort()).toEqual(["Kafka Karla", "Kafka Kurt"]);

    const search = await gw.app.request("http://localhost/search?q=Karla", {
      headers: { authorization: "Bearer tenant-a:u1" },
    });
    expect(((await search.json()) as { hits: { id: string }[] }).hits[0]?.id).toBe("1");

    const dlq = createConsumer({
      brokers,
      clientId: "dlq-reader",
      groupId: randomTopic("dlq-reader"),
    });
    cleanups.push(() => dlq.close(true));
    const stream = await dlq.consume({ topics: [`${topic}.dlq`], mode: "earliest" });
    const letters: MeshMessage[] = [];
    for await (const message of stream) {
      letters.push(message);
      if (letters.length === poison.length) break;
    }
    await stream.close();
    const header = (m: MeshMessage, name: string) =>
      m.headers.get(Buffer.from(name))?.toString() ??
      [...m.headers].find(([k]) => k.toString() === name)?.[1].toString();
    const byValue = new Map(letters.map((m) => [String(m.value), m]));
    const notJson = byValue.get("{not json");
    expect(notJson && header(notJson, "dlq_code")).toBe("invalid_json");
    expect(notJson && header(notJson, "dlq_topic")).toBe(topic);
    expect(notJson && header(notJson, "ce_id")).toBe("p1");
    expect(notJson?.key?.toString()).toBe("tenant-a/9");
    const noName = byValue.get(JSON.stringify({ id: 8, tenantId: "tenant-a" }));
    expect(noName && header(noName, "dlq_reason")).toContain("attributes");
    expect(noName && header(noName, "dlq_offset")).toMatch(/^\d+$/);

    await eventually("offsets committed past all 4 messages", async () =>
      (await committed(brokers, gw.groupId ?? group, topic)) === 4n ? true : undefined,
    );
  }, 90_000);

  test("a consumer killed after storing but before committing re-reads the batch without duplicating points", async () => {
    const prefix = `${randomTopic("gw")}.`;
    const group = randomTopic("gw-group");
    const dataDir = mkdtempSync(join(tmpdir(), "gw-"));
    const cfg = config(brokers, prefix, group, dataDir);
    const { promise: crashed, resolve: crash } = Promise.withResolvers<void>();
    const first = await gateway(
      cfg,
      {
        // The batch is stored; the process "dies" here, before any commit.
        beforeCommit: async () => {
          crash();
          await new Promise(() => {});
        },
      },
      false,
    );
    const producer = createProducer({ brokers, clientId: "test-producer" });
    cleanups.push(() => producer.close());
    const messages = [
      ...Array.from({ length: 20 }, (_, i) => user(prefix, "tenant-a", i + 1, `Person ${i + 1}`)),
      ...Array.from({ length: 10 }, (_, i) =>
        user(prefix, "tenant-a", i + 1, `Person ${i + 1} renamed`, 2),
      ),
    ];
    await producer.send({
      messages: messages.map((m) => ({ ...m, headers: new Map(Object.entries(m.headers)) })),
    });
    await crashed;
    const storedBeforeCrash = await first.store.count("users", "tenant-a");
    expect(storedBeforeCrash).toBeGreaterThan(0);
    // Nothing was acknowledged (the hook never returns), so closing commits nothing: a crash.
    await first.source?.close();
    first.server.stop(true);
    expect(await committed(brokers, first.groupId ?? group, `${prefix}user.events`)).toBe(0n);

    const second = await gateway(cfg);
    await eventually("the restarted consumer to commit all 30 messages", async () =>
      (await committed(brokers, second.groupId ?? group, `${prefix}user.events`)) === 30n
        ? true
        : undefined,
    );
    expect(await second.store.count("users", "tenant-a")).toBe(20);
    const renamed = await second.store.search(
      "users",
      "tenant-a",
      new Float32Array(384).fill(1 / Math.sqrt(384)),
      100,
    );
    expect(renamed.filter((hit) => String(hit.data.name).endsWith("renamed"))).toHaveLength(10);
  }, 90_000);

  test("offsets are committed together within KAFKA_COMMIT_INTERVAL_MS, and at shutdown", async () => {
    const prefix = `${randomTopic("gw")}.`;
    const group = randomTopic("gw-group");
    const dataDir = mkdtempSync(join(tmpdir(), "gw-"));
    // An interval longer than the test: nothing is committed until the gateway shuts down.
    const gw = await gateway(
      { ...config(brokers, prefix, group, dataDir), KAFKA_COMMIT_INTERVAL_MS: 60_000 },
      {},
      false,
    );
    const producer = createProducer({ brokers, clientId: "test-producer" });
    cleanups.push(() => producer.close());
    const topic = `${prefix}user.events`;
    for (let i = 1; i <= 12; i++) {
      const m = user(prefix, "tenant-a", i, `Person ${i}`);
      await producer.send({ messages: [{ ...m, headers: new Map(Object.entries(m.headers)) }] });
    }
    await eventually("all 12 stored", async () =>
      (await gw.store.count("users", "tenant-a")) === 12 ? true : undefined,
    );
    expect(await committed(brokers, gw.groupId ?? group, topic)).toBe(0n);
    await gw.shutdown("test end");
    expect(await committed(brokers, gw.groupId ?? group, topic)).toBe(12n);
  }, 90_000);
});
