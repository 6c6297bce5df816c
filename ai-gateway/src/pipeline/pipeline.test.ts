import { describe, expect, test } from "bun:test";
import { type AnyMeshEvent, encode, makeEvent } from "@event-mesh/contracts";
import { pipelineTestDeps } from "../../test/pipeline-fixture.ts";
import { openDatabase } from "../db.ts";
import type { DeadLetter } from "../dead-letters/index.ts";
import { SqliteDeadLetters } from "../dead-letters/sqlite.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import { type Embedded, Refused } from "../embedders/index.ts";
import { WrongDimsError } from "../errors.ts";
import { TenantLog } from "../tenants.ts";
import type { VectorStore } from "../vectors/index.ts";
import { SqliteVecStore } from "../vectors/sqlite-vec.ts";
import { Batcher } from "./batcher.ts";
import { type Incoming, Pipeline } from "./pipeline.ts";

const source = "urn:test";
const user = (id: number, name: string, tenantId = "tenant-a") => ({
  id,
  name,
  email: `u${id}@x.dev`,
  tenantId,
});

async function setup(
  options: {
    wrapStore?: (store: VectorStore) => VectorStore;
    embed?: (texts: readonly string[]) => Promise<Embedded[]>;
  } = {},
) {
  const db = openDatabase(":memory:");
  const sqlite = new SqliteVecStore(db);
  await sqlite.init(384);
  const store = options.wrapStore ? options.wrapStore(sqlite) : sqlite;
  const kafkaLetters: DeadLetter[] = [];
  const httpLetters = new SqliteDeadLetters(db);
  const deps = pipelineTestDeps(db);
  const usage = deps.usage;
  const embedder = new HashingEmbedder(384);
  const pipeline = new Pipeline({
    ...deps,
    embedder: options.embed ? { name: "test", dims: 384, embed: options.embed } : embedder,
    store,
    deadLetters: {
      write: async (letters) => {
        kafkaLetters.push(...letters.filter((l) => l.source === "kafka"));
        await httpLetters.write(letters.filter((l) => l.source === "http"));
      },
    },
    retry: { baseMs: 1, maxMs: 5 },
  });
  const search = (text: string, tenant = "tenant-a") =>
    sqlite.search("users", tenant, embedder.embedOne(text), 10);
  return { db, sqlite, pipeline, kafkaLetters, httpLetters, usage, search };
}

const http = (event: AnyMeshEvent): Incoming => ({
  source: "http",
  result: { ok: true, event },
  raw: "",
});
/** A tenant-a user event at `version`, delivered over HTTP. */
const userHttp = (
  type: "user.created" | "user.updated",
  version: number,
  id: number,
  name: string,
) => http(makeEvent(type, { tenantId: "tenant-a", source, version, data: user(id, name) }));
const deletedHttp = (version: number, id: number) =>
  http(
    makeEvent("user.deleted", {
      tenantId: "tenant-a",
      source,
      version,
      data: { id, tenantId: "tenant-a" },
    }),
  );
let offset = 0n;
const kafka = (
  value: string,
  headers: Record<string, string>,
  topic = "user.events",
): Incoming => ({
  source: "kafka",
  message: {
    topic,
    partition: 0,
    offset: offset++,
    key: Buffer.from("k"),
    value: Buffer.from(value),
    headers: new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
    timestamp: BigInt(Date.now()),
  },
});

describe("Pipeline with SqliteVecStore", () => {
  test("create, update and delete of one user in one batch store nothing", async () => {
    const { pipeline, sqlite } = await setup();
    await pipeline.process([
      userHttp("user.created", 1, 1, "Ann"),
      userHttp("user.updated", 2, 1, "Anne"),
      deletedHttp(3, 1),
    ]);
    expect(await sqlite.count("users")).toBe(0);
  });

  test("an older version arriving later does not overwrite the newer one", async () => {
    const { pipeline, search } = await setup();
    await pipeline.process([userHttp("user.updated", 3, 2, "Berta Neu")]);
    const outcome = await pipeline.process([userHttp("user.updated", 2, 2, "Berta Alt")]);
    expect(outcome.stale).toBe(1);
    expect((await search("Berta")).map((hit) => hit.data.name)).toEqual(["Berta Neu"]);
  });

  test("a deleted user does not come back from a late, older update", async () => {
    const { pipeline, sqlite } = await setup();
    await pipeline.process([userHttp("user.created", 1, 3, "Cleo")]);
    await pipeline.process([deletedHttp(3, 3)]);
    await pipeline.process([userHttp("user.updated", 2, 3, "Cleo")]);
    expect(await sqlite.count("users")).toBe(0);
  });

  test("undecodable Kafka messages are dead-lettered with their bytes and reason; valid ones stored", async () => {
    const { pipeline, kafkaLetters, search } = await setup();
    const good = encode(
      makeEvent("user.created", { tenantId: "tenant-a", source, data: user(4, "Dora Valid") }),
    );
    const outcome = await pipeline.process([
      kafka("{not json", { ce_type: "user.created" }),
      kafka(good.value, good.headers),
      kafka(JSON.stringify({ id: 5, name: "X" }), { ce_type: "user.created" }),
    ]);
    expect(outcome.deadLettered).toBe(2);
    expect(kafkaLetters.map((l) => l.code)).toEqual(["invalid_json", "invalid_attributes"]);
    expect(String(kafkaLetters[0]?.value)).toBe("{not json");
    expect(kafkaLetters[0]?.headers).toEqual([["ce_type", Buffer.from("user.created")]]);
    expect((await search("Dora Valid")).map((hit) => hit.id)).toEqual(["4"]);
  });

  test("a Kafka message whose text the embedder refuses is dead-lettered with its origin; the rest is stored", async () => {
    const hashing = new HashingEmbedder(384);
    const { pipeline, kafkaLetters, search, usage } = await setup({
      embed: async (texts) =>
        texts.map((text) =>
          text.includes("Refused")
            ? new Refused("took over 200 ms (alone)")
            : hashing.embedOne(text),
        ),
    });
    const refused = encode(
      makeEvent("user.created", { tenantId: "tenant-a", source, data: user(21, "Refused Ron") }),
    );
    const kept = encode(
      makeEvent("user.created", { tenantId: "tenant-a", source, data: user(22, "Kept Kim") }),
    );
    const outcome = await pipeline.process([
      kafka(refused.value, refused.headers),
      kafka(kept.value, kept.headers),
    ]);
    expect(outcome).toMatchObject({ stored: 1, deadLettered: 1 });
    expect(kafkaLetters).toMatchObject([
      { code: "embedding_refused", reason: "took over 200 ms (alone)", topic: "user.events" },
    ]);
    expect(String(kafkaLetters[0]?.value)).toBe(String(refused.value));
    expect((await search("Kept Kim")).map((hit) => hit.id)).toEqual(["22"]);
    expect(await usage.totals("tenant-a")).toEqual({ embeddings: 1, searches: 0 });
  });

  test("a wrong vector size is not retried: every upsert of the batch is dead-lettered", async () => {
    let calls = 0;
    const { pipeline, httpLetters, sqlite } = await setup({
      embed: () => {
        calls++;
        return Promise.reject(new WrongDimsError(512, 384));
      },
    });
    const outcome = await pipeline.process([
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(23, "Wes") })),
    ]);
    expect(calls).toBe(1);
    expect(outcome).toMatchObject({ stored: 0, deadLettered: 1 });
    expect(httpLetters.list()).toMatchObject([
      { code: "embedding_refused", reason: "embeddings response: 512 dimensions, expected 384" },
    ]);
    expect(await sqlite.count("users")).toBe(0);
  });

  test("invalid HTTP events land in the dead-letter table", async () => {
    const { pipeline, httpLetters } = await setup();
    await pipeline.process([
      {
        source: "http",
        result: { ok: false, error: { code: "invalid_data", message: "data.email: bad" } },
        raw: '{"id":"x"}',
      },
    ]);
    expect(httpLetters.list()).toMatchObject([
      { source: "http", code: "invalid_data", value: '{"id":"x"}' },
    ]);
  });

  test("a store failing three times then succeeding stores once, and nothing is committed before", async () => {
    let attempts = 0;
    const commits: number[] = [];
    const committedWhenFailing: number[] = [];
    const { pipeline, sqlite } = await setup({
      wrapStore: (inner) =>
        Object.assign(Object.create(inner), {
          write: (...args: Parameters<VectorStore["write"]>) => {
            if (++attempts <= 3) {
              committedWhenFailing.push(commits.length);
              return Promise.reject(new Error("store down"));
            }
            return inner.write(...args);
          },
        }),
    });
    const healthDuringFailure: boolean[] = [];
    const batcher = new Batcher<Incoming>(
      async (items) => {
        await pipeline.process(items);
        commits.push(items.length); // what the Kafka source does after `process`
      },
      { maxBatch: 10, waitMs: 1, maxQueued: 100 },
    );
    const probe = setInterval(() => healthDuringFailure.push(pipeline.health().ok), 1);
    await batcher.submit([
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(6, "Emil") })),
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(7, "Frida") })),
    ]);
    clearInterval(probe);
    expect(attempts).toBe(4);
    expect(committedWhenFailing).toEqual([0, 0, 0]);
    expect(commits).toEqual([2]);
    expect(await sqlite.count("users")).toBe(2);
    expect(pipeline.health().ok).toBe(true);
  });

  test("meters embeddings per tenant and records tenants", async () => {
    const { pipeline, usage, db } = await setup();
    await pipeline.process([
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(8, "Gus") })),
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(9, "Hal") })),
      http(
        makeEvent("user.created", {
          tenantId: "tenant-b",
          source,
          data: user(8, "Gus", "tenant-b"),
        }),
      ),
      http(
        makeEvent("tenant.created", {
          tenantId: "tenant-z",
          source,
          data: { tenantId: "tenant-z", name: "Zed" },
        }),
      ),
    ]);
    expect(await usage.totals("tenant-a")).toEqual({ embeddings: 2, searches: 0 });
    expect(await usage.totals("tenant-b")).toEqual({ embeddings: 1, searches: 0 });
    expect(new TenantLog(db).has("tenant-z")).toBe(true);
  });

  test("stop() ends the retries of a batch stuck on a dead store", async () => {
    const { pipeline } = await setup({
      wrapStore: (inner) =>
        Object.assign(Object.create(inner), { write: () => Promise.reject(new Error("down")) }),
    });
    const stuck = pipeline.process([
      http(makeEvent("user.created", { tenantId: "tenant-a", source, data: user(10, "Ida") })),
    ]);
    await Bun.sleep(20);
    expect(pipeline.health()).toMatchObject({ ok: false, step: "store" });
    pipeline.stop();
    await expect(stuck).rejects.toThrow(/stopped/);
  });
});
