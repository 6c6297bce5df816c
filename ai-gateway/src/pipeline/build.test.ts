import { expect, test } from "bun:test";
import { encode, makeEvent } from "@event-mesh/contracts";
import { pipelineTestDeps } from "../../test/pipeline-fixture.ts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import type { VectorStore } from "../vectors/index.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { buildPipeline } from "./build.ts";
import type { Incoming, PipelineDeps } from "./pipeline.ts";

/**
 * The batcher and pipeline on real SQLite. With `storeDown`, every store write fails and the
 * gateway is stopping (the pipeline gives up instead of retrying).
 */
async function setup(storeDown = false, usage?: (deps: PipelineDeps) => PipelineDeps["usage"]) {
  const db = openDatabase(":memory:");
  const sqlite = new SqliteVecStore(db);
  await sqlite.init(384);
  const store: VectorStore = Object.assign(Object.create(sqlite), {
    write: (...args: Parameters<VectorStore["write"]>) => {
      if (!storeDown) return sqlite.write(...args);
      built.pipeline.stop();
      return Promise.reject(new Error("store down"));
    },
  });
  const acknowledged: bigint[][] = [];
  const deps: PipelineDeps = {
    embedder: new HashingEmbedder(384),
    store,
    ...pipelineTestDeps(db),
    retry: { baseMs: 1, maxMs: 5 },
  };
  if (usage) deps.usage = usage(deps);
  const built = buildPipeline(deps, {
    batching: { maxBatch: 10, waitMs: 1, maxQueued: 100 },
    acknowledge: async (items) => {
      acknowledged.push(items.map((item) => (item.source === "kafka" ? item.message.offset : -1n)));
    },
  });
  return { ...built, sqlite, acknowledged };
}

const created = (id: number) =>
  makeEvent("user.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    data: { id, name: `Person ${id}`, email: `p${id}@a.dev`, tenantId: "tenant-a" },
  });
/** A user.created event as the Kafka consumer hands it over. */
const kafkaUser = (offset: bigint, id: number): Incoming => {
  const record = encode(created(id));
  return {
    source: "kafka",
    message: {
      ...record,
      partition: 0,
      offset,
      key: Buffer.from(record.key),
      value: Buffer.from(record.value),
      headers: new Map(
        Object.entries(record.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
      ),
      timestamp: 0n,
    },
  };
};

const http = (id: number): Incoming => ({
  source: "http",
  result: {
    ok: true,
    event: makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id, name: `Person ${id}`, email: `p${id}@a.dev`, tenantId: "tenant-a" },
    }),
  },
  raw: "",
});
/** A message that does not decode: dead-lettered, and then acknowledged like a stored one. */
const kafka = (offset: bigint): Incoming => ({
  source: "kafka",
  message: {
    topic: "user.events",
    partition: 0,
    offset,
    key: Buffer.from("k"),
    value: Buffer.from("not an event"),
    headers: new Map(),
    timestamp: 0n,
  },
});

test("each handled batch acknowledges its Kafka messages, in order, and never HTTP ones", async () => {
  const { batcher, acks, sqlite, acknowledged } = await setup();
  await batcher.submit([kafka(0n), http(1), kafka(1n)]);
  await batcher.submit([kafka(2n)]);
  await batcher.submit([http(2)]);
  await acks.flush();
  expect(acknowledged).toEqual([[0n, 1n], [2n]]);
  expect(await sqlite.count("users", "tenant-a")).toBe(2);
});

test("after a batch fails (stopping), later batches are refused and nothing of them is acknowledged", async () => {
  const { batcher, acks, acknowledged } = await setup(true);
  await expect(batcher.submit([http(1), kafka(0n)])).rejects.toMatchObject({
    code: "shutting_down",
  });
  // This one would be stored without the store (it only dead-letters), yet it must not commit:
  // its offset would move the partition past the first batch's unprocessed message.
  await expect(batcher.submit([kafka(1n)])).rejects.toMatchObject({ code: "shutting_down" });
  await acks.flush();
  expect(acknowledged).toEqual([]);
});

/** The usage meter of the fixture, with each lingering record held until the test lets it go. */
function heldUsage(deps: PipelineDeps) {
  const meter = deps.usage;
  const held: { linger: boolean; release: (error?: Error) => void }[] = [];
  const usage: PipelineDeps["usage"] = {
    totals: (tenantId) => meter.totals(tenantId),
    record: (increments, options) => {
      if (!options?.linger) {
        held.push({ linger: false, release: () => {} });
        return meter.record(increments);
      }
      return new Promise<void>((resolve, reject) => {
        held.push({
          linger: true,
          release: (error) => (error ? reject(error) : resolve(meter.record(increments))),
        });
      });
    },
  };
  return { usage, held };
}

/** `setup()` whose usage meter holds each lingering record (heldUsage). */
async function setupHeld() {
  let meter: ReturnType<typeof heldUsage> | undefined;
  const built = await setup(false, (deps) => {
    meter = heldUsage(deps);
    return meter.usage;
  });
  return { ...built, held: meter?.held ?? [] };
}

test("a Kafka batch is acknowledged only once its usage is recorded; later batches are stored meanwhile", async () => {
  const { batcher, acks, sqlite, acknowledged, held } = await setupHeld();
  await batcher.submit([kafkaUser(0n, 1)]);
  await batcher.submit([kafkaUser(1n, 2)]);
  // Both stored and searchable, neither acknowledged: their usage lingers.
  expect(await sqlite.count("users", "tenant-a")).toBe(2);
  expect(held.map((h) => h.linger)).toEqual([true, true]);
  await Bun.sleep(20);
  expect(acknowledged).toEqual([]);
  // HTTP callers are answered after their usage: a batch with an HTTP event does not linger.
  await batcher.submit([http(3), kafkaUser(2n, 4)]);
  expect(held.map((h) => h.linger)).toEqual([true, true, false]);
  // Released out of order, acknowledged in order.
  held[1]?.release();
  await Bun.sleep(20);
  expect(acknowledged).toEqual([]);
  held[0]?.release();
  await acks.flush();
  expect(acknowledged).toEqual([[0n], [1n], [2n]]);
});

test("a batch whose usage is never recorded (stopping) is not acknowledged, nor any later one", async () => {
  const { batcher, acks, acknowledged, pipeline, held } = await setupHeld();
  await batcher.submit([kafkaUser(0n, 1)]);
  await batcher.submit([kafkaUser(1n, 2)]);
  // The billing topic is down and the gateway is stopping: batch 0's usage is given up.
  pipeline.stop();
  held[1]?.release();
  held[0]?.release(new Error("broker down"));
  await acks.flush();
  expect(acknowledged).toEqual([]);
  await expect(batcher.submit([kafkaUser(2n, 3)])).rejects.toMatchObject({
    code: "shutting_down",
  });
});
