import { expect, test } from "bun:test";
import { makeEvent } from "@event-mesh/contracts";
import { pipelineTestDeps } from "../../test/pipeline-fixture.ts";
import { openDatabase } from "../db.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import type { VectorStore } from "../vectors/index.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { buildPipeline } from "./build.ts";
import type { Incoming } from "./pipeline.ts";

/**
 * The batcher and pipeline on real SQLite. With `storeDown`, every store write fails and the
 * gateway is stopping (the pipeline gives up instead of retrying).
 */
async function setup(storeDown = false) {
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
  const built = buildPipeline(
    {
      embedder: new HashingEmbedder(384),
      store,
      ...pipelineTestDeps(db),
      retry: { baseMs: 1, maxMs: 5 },
    },
    {
      batching: { maxBatch: 10, waitMs: 1, maxQueued: 100 },
      acknowledge: async (items) => {
        acknowledged.push(
          items.map((item) => (item.source === "kafka" ? item.message.offset : -1n)),
        );
      },
    },
  );
  return { ...built, sqlite, acknowledged };
}

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
