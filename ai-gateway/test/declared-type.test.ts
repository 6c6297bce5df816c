import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode, fromStructured, readDeclarations } from "@event-mesh/contracts";
import { createProducer } from "@event-mesh/kafka-kit";
import { DEV_MESH_TOKEN_KEY, encodeConsistencyToken } from "@event-mesh/service-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { spawnGateway } from "./gateway-process.ts";
import { QdrantDouble } from "./qdrant-double.ts";
import { QDRANT_OPENAPI_PATH, QdrantSchema } from "./qdrant-schema.ts";

const DECLARED = join(import.meta.dir, "..", "..", "examples", "python-invoices", "invoices.yaml");
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An `invoice.paid` CloudEvent, structured mode, as a producer outside this repository sends. */
function invoicePaid(id: string, customer: string, memo: string, status: string, version = 1) {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "urn:billing",
    type: "invoice.paid",
    time: "2026-12-05T09:00:00.000Z",
    datacontenttype: "application/json",
    tenantid: "tenant-a",
    entityversion: version,
    data: { id, tenantId: "tenant-a", customer, memo, status, amountCents: 4200 },
  };
}

async function started(env: Record<string, string>) {
  const gateway = spawnGateway(env);
  cleanups.push(() => gateway.child.kill());
  const outcome = await gateway.outcome;
  if (outcome !== "started")
    throw new Error(
      `gateway exited ${outcome}: ${await new Response(gateway.child.stderr).text()}`,
    );
  return gateway;
}

test("bad declarations stop start-up with one line per problem, naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "entities-"));
  const path = join(dir, "bad.yaml");
  await Bun.write(
    path,
    [
      "types:",
      "  user.created: { topic: user.events }",
      "  order.created:",
      "    topic: orders",
      "    partitionKey: [id]",
      "    gateway: { action: upsert, collection: orders, text: [note] }",
      "    schema: { type: object, properties: { tenantId: { type: string } } }",
    ].join("\n"),
  );
  const gateway = spawnGateway({ MESH_ENTITIES: path });
  cleanups.push(() => gateway.child.kill());
  expect(await gateway.outcome).toBe(1);
  const stderr = await new Response(gateway.child.stderr).text();
  const lines = stderr.split("\n").filter((line) => line.includes(`entity declarations (${path})`));
  expect(lines.map((line) => line.slice(line.indexOf("): ") + 3))).toEqual([
    "types.user.created: already declared by the built-in file",
    'order.created: topic: must be "<entity>.events"',
    'order.created: schema: must require a "tenantId" property',
    'order.created: partitionKey: "id" is not a property of the schema',
    'order.created: gateway.text: "note" is not a property of the schema',
  ]);
});

const schema = QdrantSchema.load();
if (!schema) console.log(`skip: declared types on Qdrant, no ${QDRANT_OPENAPI_PATH}`);
test.skipIf(!schema)(
  "on Qdrant, a declared collection and its filters' payload indexes are made",
  async () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    cleanups.push(() => double.stop());
    await started({ QDRANT_URL: double.url, MESH_ENTITIES: DECLARED });
    const invoices = [...double.collections].filter(([name]) => name.includes("invoices"));
    expect(invoices.length).toBeGreaterThan(0);
    for (const [, collection] of invoices)
      expect([...collection.indexes.keys()]).toEqual(
        expect.arrayContaining(["filters.status", "filters.customer"]),
      );
    expect(double.problems).toEqual([]);
  },
);

await describeKafka("a type declared in a file only, over a real broker", (brokers) => {
  test("after a restart with MESH_ENTITIES the gateway consumes, indexes and searches it", async () => {
    const prefix = `${randomTopic("declared")}.`;
    const env = { KAFKA_BROKERS: brokers.join(","), TOPIC_PREFIX: prefix, INGEST_TOKEN: "" };
    const before = await started(env);
    const unknown = await fetch(`${before.url}/search?q=x&type=invoices`, {
      headers: { authorization: "Bearer tenant-a:user-1" },
    });
    expect(unknown.status).toBe(400);
    before.child.kill();
    await before.child.exited;

    const gateway = await started({ ...env, MESH_ENTITIES: DECLARED });
    // The producer side: the same file is all a publisher needs to encode its events.
    const { registry } = readDeclarations(Bun.YAML.parse(await Bun.file(DECLARED).text()));
    const producer = createProducer({ brokers, clientId: "declared-type-test" });
    cleanups.push(() => producer.close());
    const events = [
      invoicePaid("inv-1", "Katherine Johnson", "Orbital mechanics, annual plan", "paid"),
      invoicePaid("inv-2", "Katherine Johnson", "Orbital mechanics, refund", "refunded"),
    ];
    for (const raw of events) {
      const read = fromStructured(raw, registry);
      if (!read.ok) throw new Error(read.error.message);
      const record = encode(read.event, { topicPrefix: prefix, registry });
      expect(record.topic).toBe(`${prefix}invoice.events`);
      await producer.send({
        messages: [{ ...record, headers: new Map(Object.entries(record.headers)) }],
      });
    }
    const after = encodeConsistencyToken(
      {
        tenantId: "tenant-a",
        collection: "invoices",
        entityId: "inv-2",
        version: 1,
        deleted: false,
      },
      [DEV_MESH_TOKEN_KEY],
    );
    const query = new URLSearchParams({
      q: "Katherine Johnson orbital",
      type: "invoices",
      filter: "status:refunded",
      after,
    });
    const search = await fetch(`${gateway.url}/search?${query}`, {
      headers: { authorization: "Bearer tenant-a:user-1" },
    });
    expect(search.status).toBe(200);
    const { hits } = (await search.json()) as { hits: { id: string; data: unknown }[] };
    expect(hits.map(({ id }) => id)).toEqual(["inv-2"]);

    const asyncapi = await (await fetch(`${gateway.url}/asyncapi.json`)).text();
    expect(asyncapi).toContain("invoice.paid");
    const schema = await fetch(`${gateway.url}/schemas/invoice.paid.json`);
    expect(await schema.json()).toMatchObject({
      title: "invoice.paid",
      required: ["id", "tenantId", "customer", "status", "amountCents"],
    });
    expect((await fetch(`${gateway.url}/schemas/order.created.json`)).status).toBe(404);
    const openapi = await (await fetch(`${gateway.url}/openapi.json`)).text();
    expect(openapi).toContain("invoices");
  }, 120_000);
});
