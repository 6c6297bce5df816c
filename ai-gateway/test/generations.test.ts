import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, encode, makeEvent } from "@event-mesh/contracts";
import { createProducer, ensureTopics } from "@event-mesh/kafka-kit";
import { describeKafka, randomTopic } from "../../test/kafka-broker.ts";
import { openDatabase } from "../src/db.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { type Embedder, embedAll } from "../src/embedders/index.ts";
import { OpenAiEmbedder } from "../src/embedders/openai.ts";
import { SqliteEmbeddingCache } from "../src/embedders/sqlite-cache.ts";
import { buildGeneration, type SnapshotSource } from "../src/generations/builder.ts";
import { Generations } from "../src/generations/generations.ts";
import { kafkaSnapshot } from "../src/generations/kafka-snapshot.ts";
import { type GenerationSpec, GenerationTable } from "../src/generations/table.ts";
import { type Incoming, Pipeline } from "../src/pipeline/pipeline.ts";
import { DEFAULT_CHUNKS } from "../src/vectors/chunks.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";
import { EmbeddingsServer } from "./embeddings-server.ts";
import { pipelineTestDeps } from "./pipeline-fixture.ts";

const dirs: string[] = [];
const servers: EmbeddingsServer[] = [];
afterAll(() => {
  for (const server of servers) server.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The gateway's vector side on a real SQLite file: generations, pipeline, search as the route does it. */
function gateway(
  dataDir: string,
  configured: Embedder,
  embedderOf: (spec: GenerationSpec) => Embedder,
) {
  const db = openDatabase(dataDir);
  const table = new GenerationTable(db);
  const generations = new Generations({
    table,
    configured,
    embedderOf,
    open: async (row, collections) => {
      const store = new SqliteVecStore(db);
      await store.init(row.dims, collections);
      return store;
    },
  });
  const pipeline = new Pipeline({
    embedder: generations.embedder,
    store: generations.store,
    ...pipelineTestDeps(db),
    chunks: DEFAULT_CHUNKS,
    // The embedding cache as main.ts wires it: hits tagged with their generation.
    cache: generations.tagging(
      new SqliteEmbeddingCache(db, { maxEntries: 100_000, maxAgeDays: 30 }),
    ),
  });
  /** Like `GET /search`: embed the query, then search with that vector. */
  const search = async (name: string, tenant = "tenant-a") => {
    const [vector] = await embedAll(generations.embedder, [name]);
    if (!vector) throw new Error("no vector");
    return {
      dims: vector.length,
      hits: await generations.store.search("users", tenant, vector, 5),
    };
  };
  return { db, table, generations, pipeline, search };
}

/** user-service's side: the latest event of every user, readable as a snapshot. */
class Users {
  readonly latest = new Map<number, AnyMeshEvent>();
  #versions = new Map<number, number>();
  put(id: number, name: string, deleted = false): Incoming {
    const version = (this.#versions.get(id) ?? 0) + 1;
    this.#versions.set(id, version);
    const tenantId = "tenant-a";
    const event = deleted
      ? makeEvent("user.deleted", { tenantId, source: "urn:test", version, data: { id, tenantId } })
      : makeEvent("user.created", {
          tenantId,
          source: "urn:test",
          version,
          data: { id, name, email: `${name.toLowerCase().replace(" ", ".")}@a.dev`, tenantId },
        });
    this.latest.set(id, event);
    return { source: "http", result: { ok: true, event }, raw: "" };
  }
  live(): number {
    return [...this.latest.values()].filter((event) => event.type !== "user.deleted").length;
  }
  /** Pages through the rows as they are when each page is read, like a database cursor. */
  snapshot(pageSize: number, between: () => Promise<void>): SnapshotSource {
    const ids = () => [...this.latest.keys()].sort((a, b) => a - b);
    return {
      total: async () => this.latest.size,
      batches: async function* (this: Users) {
        const all = ids();
        for (let at = 0; at < all.length; at += pageSize) {
          const page = all.slice(at, at + pageSize).flatMap((id) => this.latest.get(id) ?? []);
          yield page;
          await between();
        }
      }.bind(this),
    };
  }
}

const nameOf = (id: number) => `Person${id} Surname${id * 7}`;

/** Generation 1 at `before`, restarted at `after`, switched while events and searches go on. */
async function switchUnderLoad(
  before: () => Embedder,
  after: () => Embedder,
  of: (spec: GenerationSpec) => Embedder,
) {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-generations-"));
  dirs.push(dataDir);
  const users = new Users();
  const first = gateway(dataDir, before(), of);
  await first.generations.start();
  await first.pipeline.process(
    Array.from({ length: 120 }, (_, i) => users.put(i + 1, nameOf(i + 1))),
  );
  await first.generations.store.close();
  first.db.close();

  const gw = gateway(dataDir, after(), of);
  await gw.generations.start();
  expect(gw.table.inState("building")?.dims).toBe(after().dims);
  const dimsSeen = new Set<number>();
  let next = 1000;
  let failures = 0;
  // Between snapshot pages: new users, updates, deletes, and searches for users just written.
  const between = async () => {
    const id = next++;
    await gw.pipeline.process([
      // The same text again: its vector comes from the embedding cache, not the embedder.
      users.put(1 + (id % 3), nameOf(1 + (id % 3))),
      users.put(id, nameOf(id)),
      users.put((id % 119) + 2, `Renamed${id} Person`),
      users.put(((id * 7 + 3) % 119) + 2, "", true),
    ]);
    for (const name of [nameOf(id), `Renamed${id} Person`]) {
      try {
        const { dims, hits } = await gw.search(name);
        dimsSeen.add(dims);
        if (hits[0]?.data.name !== name) failures++;
      } catch {
        failures++;
      }
    }
  };
  // Searches for a user that no event touches, all the while, so some straddle the switch.
  let building = true;
  const searching = (async () => {
    while (building) {
      try {
        const { dims, hits } = await gw.search(nameOf(1));
        dimsSeen.add(dims);
        if (hits[0]?.data.name !== nameOf(1)) failures++;
      } catch {
        failures++;
      }
    }
  })();
  const outcome = await buildGeneration(gw.generations, gw.table, users.snapshot(25, between));
  building = false;
  await searching;
  await between();
  return { gw, users, outcome, dimsSeen, failures };
}

async function expectEveryUserFound(gw: ReturnType<typeof gateway>, users: Users) {
  expect(await gw.generations.store.count("users", "tenant-a")).toBe(users.live());
  for (const event of users.latest.values()) {
    if (event.type === "user.deleted") continue;
    const name = String((event.data as { name: string }).name);
    const { hits } = await gw.search(name);
    expect(hits[0]?.data.name).toBe(name);
    // The generation searched has the words too: built from the snapshot, kept by live writes.
    const options = { mode: "keyword" as const, text: name };
    const byWords = await gw.generations.store.search("users", "tenant-a", null, 5, options);
    expect(byWords[0]?.data.name).toBe(name);
  }
}

describe("re-embedding into a new generation", () => {
  test("hashing 384 → 256 under a stream of writes and searches: no failed search, nothing lost, one switch, rollback", async () => {
    const hashing = (spec: GenerationSpec) => new HashingEmbedder(spec.dims);
    const { gw, users, outcome, dimsSeen, failures } = await switchUnderLoad(
      () => new HashingEmbedder(384),
      () => new HashingEmbedder(256),
      hashing,
    );
    expect(failures).toBe(0);
    expect([...dimsSeen].sort()).toEqual([256, 384]);
    expect(outcome).toMatchObject({ generation: 2, switched: true, done: 120 });
    expect(gw.table.all().map((g) => [g.id, g.state, g.dims])).toEqual([
      [1, "previous", 384],
      [2, "current", 256],
    ]);
    expect(await gw.generations.promote(2)).toBe(false);
    expect(gw.generations.embedder.dims).toBe(256);
    await expectEveryUserFound(gw, users);

    // Writes after the switch reach the kept generation too, so rolling back loses nothing.
    await gw.pipeline.process([users.put(5000, nameOf(5000))]);
    expect(await gw.generations.rollback()).toBe(true);
    expect(gw.generations.embedder.dims).toBe(384);
    expect((await gw.search(nameOf(1))).dims).toBe(384);
    await expectEveryUserFound(gw, users);
  }, 60_000);

  test("an OpenAI-compatible model change (stub server) switches the same way", async () => {
    const server = new EmbeddingsServer(384);
    server.honoursDimensions = true;
    servers.push(server);
    const openai = (spec: GenerationSpec) =>
      new OpenAiEmbedder({
        url: server.url,
        model: spec.embedder.replace(/^openai:/, ""),
        dims: spec.dims,
      });
    const { gw, users, outcome, dimsSeen, failures } = await switchUnderLoad(
      () => openai({ embedder: "openai:text-embedding-3-small", dims: 384 }),
      () => openai({ embedder: "openai:text-embedding-3-large", dims: 256 }),
      openai,
    );
    expect(failures).toBe(0);
    expect([...dimsSeen].sort()).toEqual([256, 384]);
    expect(outcome.switched).toBe(true);
    expect(gw.table.inState("current")).toMatchObject({
      embedder: "openai:text-embedding-3-large",
      dims: 256,
    });
    expect(server.requests.some((r) => r.body.model === "text-embedding-3-large")).toBe(true);
    await expectEveryUserFound(gw, users);
  }, 60_000);
});

await describeKafka("re-embedding from the Kafka topics", (brokers) => {
  test("a new generation is built from the topics' beginning: every user at its latest version, deleted ones gone", async () => {
    const prefix = `${randomTopic("gw-reembed")}.`;
    const topic = `${prefix}user.events`;
    await ensureTopics({ brokers, topics: [topic], partitions: 2 });
    const users = new Users();
    const sent = [
      ...Array.from({ length: 60 }, (_, i) => users.put(i + 1, nameOf(i + 1))),
      ...Array.from({ length: 10 }, (_, i) => users.put(i + 1, `Renamed${i + 1} Person`)),
      ...Array.from({ length: 5 }, (_, i) => users.put(i + 50, "", true)),
    ];
    const producer = createProducer({ brokers, clientId: "test-reembed" });
    await producer.send({
      messages: sent.map((item) => {
        if (item.source !== "http" || !item.result.ok) throw new Error("not an event");
        const record = encode(item.result.event, { topicPrefix: prefix });
        return { ...record, headers: new Map(Object.entries(record.headers)) };
      }),
    });
    await producer.close();

    const dataDir = mkdtempSync(join(tmpdir(), "gw-generations-"));
    dirs.push(dataDir);
    const first = gateway(
      dataDir,
      new HashingEmbedder(384),
      (spec) => new HashingEmbedder(spec.dims),
    );
    await first.generations.start();
    await first.generations.store.close();
    first.db.close();
    const gw = gateway(dataDir, new HashingEmbedder(256), (spec) => new HashingEmbedder(spec.dims));
    await gw.generations.start();
    const source = kafkaSnapshot({
      brokers,
      clientId: "test-reembed",
      groupId: randomTopic("gw-reembed-group"),
      topics: [topic],
      topicPrefix: prefix,
      batchSize: 16,
    });
    expect(await source.total()).toBe(75);
    const outcome = await buildGeneration(gw.generations, gw.table, source);
    expect(outcome).toMatchObject({ generation: 2, done: 75, switched: true });
    expect(gw.table.byId(2)).toMatchObject({ state: "current", done: 75, total: 75 });
    await expectEveryUserFound(gw, users);
    expect(users.live()).toBe(55);
  }, 60_000);
});

test("a new generation stores long texts chunk by chunk, found by a passage near their end", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-generations-"));
  dirs.push(dataDir);
  const hashing = (spec: GenerationSpec) => new HashingEmbedder(spec.dims);
  const passage = "Renew the quokka enclosure permit with the city before March.";
  const prose = "Routine weekly maintenance of the office printers and coffee machines. ";
  const task = (id: string, description: string) =>
    makeEvent("task.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      version: 1,
      data: { id, tenantId: "tenant-a", title: "Facilities", description, status: "open" },
    });
  const events = [task("t-1", `${prose.repeat(50)}${passage}`), task("t-2", prose.repeat(55))];
  const first = gateway(dataDir, new HashingEmbedder(384), hashing);
  await first.generations.start();
  await first.pipeline.process(
    events.map((event) => ({ source: "http", result: { ok: true, event }, raw: "" })),
  );
  await first.generations.store.close();
  first.db.close();

  const gw = gateway(dataDir, new HashingEmbedder(256), hashing);
  await gw.generations.start();
  const source: SnapshotSource = {
    total: async () => events.length,
    batches: async function* () {
      yield events;
    },
  };
  const outcome = await buildGeneration(gw.generations, gw.table, source, {
    chunks: DEFAULT_CHUNKS,
  });
  expect(outcome).toMatchObject({ generation: 2, switched: true });
  const [vector] = await embedAll(gw.generations.embedder, [passage]);
  if (!vector) throw new Error("no vector");
  expect(vector.length).toBe(256);
  const hits = await gw.generations.store.search("tasks", "tenant-a", vector, 5);
  expect(hits.map((hit) => hit.id)).toEqual(["t-1", "t-2"]);
  expect(hits[0]?.highlight?.text).toContain(passage);
  expect(await gw.generations.store.count("tasks", "tenant-a")).toBe(2);
});
