// What the tests of the example producers in other languages share: a gateway process that reads
// the example's declaration file, searches with read-your-writes, and the dead letters of a topic.
import { describe, test } from "bun:test";
import { spawnGateway } from "../ai-gateway/test/gateway-process.ts";
import { createConsumer, type MeshMessage } from "../kafka-kit/src/index.ts";
import { DEV_MESH_TOKEN_KEY, encodeConsistencyToken } from "../service-kit/src/index.ts";
import { describeKafka, randomTopic } from "./kafka-broker.ts";

/**
 * `describeKafka` that also needs a tool (`go`, `python3`): without it the tests skip with the
 * reason, or fail under REQUIRE_KAFKA=1 (CI installs what they need).
 */
export async function describeProducer(
  name: string,
  missing: string | null,
  fn: (brokers: string[]) => void,
): Promise<void> {
  if (missing === null) return describeKafka(name, fn);
  if (process.env.REQUIRE_KAFKA === "1")
    describe(name, () => {
      test("has its toolchain (REQUIRE_KAFKA=1)", () => {
        throw new Error(`REQUIRE_KAFKA=1 but ${missing}`);
      });
    });
  else test.skip(`${name} (${missing})`, () => {});
}

/** A gateway on the broker, its topics prefixed by a fresh prefix, with `entities` declared. */
export async function declaredGateway(brokers: string[], entities: string, name: string) {
  const prefix = `${randomTopic(name)}.`;
  const env = { KAFKA_BROKERS: brokers.join(","), TOPIC_PREFIX: prefix, MESH_ENTITIES: entities };
  const gateway = spawnGateway(env);
  const outcome = await gateway.outcome;
  if (outcome !== "started") {
    const stderr = await new Response(gateway.child.stderr).text();
    throw new Error(`gateway exited ${outcome}: ${stderr}`);
  }
  return { ...gateway, prefix };
}

/**
 * The ids `q` finds in `collection` of `tenantId` once `entityId` at `version` is stored (the
 * `after` token a producer's write answer would carry, signed with the development key).
 */
export async function searchAfter(
  url: string,
  target: { tenantId: string; collection: string; entityId: string; version: number },
  q: string,
  filter?: string,
): Promise<{ status: number; ids: string[] }> {
  const after = encodeConsistencyToken({ ...target, deleted: false }, [DEV_MESH_TOKEN_KEY]);
  const query = new URLSearchParams({ q, type: target.collection, after });
  if (filter) query.set("filter", filter);
  const response = await fetch(`${url}/search?${query}`, {
    headers: { authorization: `Bearer ${target.tenantId}:user-1` },
  });
  const body = (await response.json()) as { hits?: { id: string }[] };
  return { status: response.status, ids: (body.hits ?? []).map(({ id }) => id) };
}

/** The first `count` dead letters of `topic`: their key and `dlq_code` / `dlq_reason` headers. */
export async function deadLetters(brokers: string[], topic: string, count: number) {
  const consumer = createConsumer({
    brokers,
    clientId: "dead-letter-reader",
    groupId: randomTopic("dead-letter-reader"),
  });
  try {
    const stream = await consumer.consume({ topics: [`${topic}.dlq`], mode: "earliest" });
    const letters: MeshMessage[] = [];
    for await (const message of stream) {
      letters.push(message);
      if (letters.length === count) break;
    }
    await stream.close();
    const header = (m: MeshMessage, key: string) =>
      [...m.headers].find(([k]) => k.toString() === key)?.[1].toString();
    return letters.map((m) => ({
      key: m.key?.toString(),
      code: header(m, "dlq_code"),
      reason: header(m, "dlq_reason"),
    }));
  } finally {
    await consumer.close(true);
  }
}
