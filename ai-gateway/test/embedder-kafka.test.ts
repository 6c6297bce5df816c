import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode, makeEvent } from "@event-mesh/contracts";
import { createConsumer, createProducer, type MeshMessage } from "@event-mesh/kafka-kit";
import { eventually } from "@event-mesh/service-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { EmbeddingsServer } from "./embeddings-server.ts";
import { inProcessGateway } from "./in-process.ts";
import { committed } from "./offsets.ts";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
});

await describeKafka("ai-gateway with a stalling embeddings server, on Kafka", (brokers) => {
  test("the message the server cannot embed goes to the DLQ with its reason; the partition moves on", async () => {
    const server = new EmbeddingsServer(384);
    cleanups.push(() => server.stop());
    server.hangs = (input) => input.some((text) => text.includes("Stuck"));
    const prefix = `${randomTopic("gw-emb")}.`;
    const group = randomTopic("gw-emb-group");
    const gw = await inProcessGateway(
      {
        DATA_DIR: mkdtempSync(join(tmpdir(), "gw-emb-kafka-")),
        KAFKA_BROKERS: brokers.join(","),
        TOPIC_PREFIX: prefix,
        TOPIC_PARTITIONS: "1",
        KAFKA_GROUP_ID: group,
        BATCH_WAIT_MS: "50",
        EMBEDDINGS_URL: server.url,
        EMBEDDINGS_MODEL: "all-minilm",
        EMBEDDINGS_TIMEOUT_MS: "200",
      },
      cleanups,
    );
    const producer = createProducer({ brokers, clientId: "test-producer" });
    cleanups.push(() => producer.close());
    const topic = `${prefix}user.events`;
    const names = ["Kept Karla", "Stuck Stan", "Kept Kurt"];
    await producer.send({
      messages: names.map((name, i) => {
        const { key, value, headers } = encode(
          makeEvent("user.created", {
            tenantId: "tenant-a",
            source: "urn:test",
            data: { id: i + 1, name, email: `u${i + 1}@a.dev`, tenantId: "tenant-a" },
          }),
          { topicPrefix: prefix },
        );
        return { topic, key, value, headers: new Map(Object.entries(headers)) };
      }),
    });

    await eventually("offsets committed past all 3 messages", async () =>
      (await committed(brokers, gw.groupId ?? group, topic, [0])) === 3n ? true : undefined,
    );
    const search = await gw.app.request("http://localhost/stats", {
      headers: { authorization: "Bearer tenant-a:u1" },
    });
    expect(await search.json()).toMatchObject({ points: { users: 2 } });

    const dlq = createConsumer({ brokers, clientId: "dlq-reader", groupId: randomTopic("dlq") });
    cleanups.push(() => dlq.close(true));
    const stream = await dlq.consume({ topics: [`${topic}.dlq`], mode: "earliest" });
    let letter: MeshMessage | undefined;
    for await (const message of stream) {
      letter = message;
      break;
    }
    await stream.close();
    const header = (name: string) =>
      [...(letter?.headers ?? [])].find(([k]) => k.toString() === name)?.[1].toString();
    expect(header("dlq_code")).toBe("embedding_refused");
    expect(header("dlq_reason")).toMatch(/took over 200 ms/);
    expect(JSON.parse(String(letter?.value)).name).toBe("Stuck Stan");
  }, 90_000);
});
