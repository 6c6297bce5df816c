import { expect, test } from "bun:test";
import { Producer, stringSerializers } from "@platformatic/kafka";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { createProducer } from "../src/index.ts";

await describeKafka("producing to a topic that does not exist", (brokers) => {
  test("pins: the library's idempotent producer waits forever (retries = MAX_SAFE_INTEGER)", async () => {
    const producer = new Producer({
      clientId: "pin-retries",
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
    });
    const send = producer.send({ messages: [{ topic: randomTopic("missing"), value: "v" }] });
    const settled = await Promise.race([
      send.then(
        () => "sent",
        () => "rejected",
      ),
      Bun.sleep(3_000).then(() => "still waiting"),
    ]);
    expect(settled).toBe("still waiting");
    // Closing the producer is what finally rejects the send.
    await producer.close();
    await expect(send).rejects.toThrow("Unknown topic");
  });

  test("createProducer gives up after its ten retries with 'Unknown topic'", async () => {
    const producer = createProducer({ brokers, clientId: "retries", extra: { retryDelay: 200 } });
    const topic = randomTopic("missing");
    const started = Date.now();
    await expect(producer.send({ messages: [{ topic, value: "v" }] })).rejects.toThrow(
      `Unknown topic ${topic}.`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    await producer.close();
  });
});
