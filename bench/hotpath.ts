// bench:hotpath — the gateway's hot path in process, no broker, about ten seconds: EVENTS (50,000)
// user.created events as the Kafka consumer hands them over, in batches of BATCH_MAX (256), through
// decode → plan → embed (hashing) → store (sqlite-vec in a file, WAL, as the gateway runs it) and
// the rest of Pipeline.process (usage, metrics). Prints CPU µs per event for each stage, so a change
// to the pipeline is checked in seconds; `bun run bench:compare <ref> hotpath` sets it against
// another commit. A last row is the HTTP ingest route's own CPU per event (bench/lib/http-route.ts).
// `bun run bench:hotpath`. Env: EVENTS, BATCH_MAX, TENANTS (10).

import { openDatabase } from "../ai-gateway/src/db.ts";
import { SqliteDeadLetters } from "../ai-gateway/src/dead-letters/sqlite.ts";
import { HashingEmbedder } from "../ai-gateway/src/embedders/hashing.ts";
import type { Embedder } from "../ai-gateway/src/embedders/index.ts";
import { createGatewayMetrics } from "../ai-gateway/src/metrics.ts";
import { decodeItems } from "../ai-gateway/src/pipeline/decode.ts";
import { type Incoming, Pipeline } from "../ai-gateway/src/pipeline/pipeline.ts";
import { planBatch } from "../ai-gateway/src/pipeline/plan.ts";
import { TenantLog } from "../ai-gateway/src/tenants.ts";
import { SqliteUsage } from "../ai-gateway/src/usage/sqlite.ts";
import type { VectorStore } from "../ai-gateway/src/vectors/index.ts";
import { SqliteVecStore } from "../ai-gateway/src/vectors/sqlite-vec.ts";
import { encode } from "../contracts/src/index.ts";
import { createLogger, Registry } from "../service-kit/src/index.ts";
import { userCreatedEvents } from "./lib/events.ts";
import { httpRouteUsPerEvent } from "./lib/http-route.ts";
import { machine, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, tempDir } from "./lib/stack.ts";

const EVENTS = Number(process.env.EVENTS ?? 50_000);
const BATCH_MAX = Number(process.env.BATCH_MAX ?? 256);
const TENANTS = Number(process.env.TENANTS ?? 10);

/** CPU microseconds (user + system) of this process. */
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** The events as the Kafka source hands them to the pipeline: bytes, headers, offsets. */
function kafkaItems(): Incoming[] {
  return userCreatedEvents(EVENTS, TENANTS).map((event, i) => {
    const record = encode(event);
    return {
      source: "kafka",
      message: {
        topic: record.topic,
        partition: i % 3,
        offset: BigInt(i),
        key: Buffer.from(record.key),
        value: Buffer.from(record.value),
        headers: new Map(
          Object.entries(record.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
        ),
        timestamp: BigInt(Date.now()),
      },
    };
  });
}

const loadBefore = machine().loadAverage;
try {
  const items = kafkaItems();
  const batches: Incoming[][] = [];
  for (let i = 0; i < items.length; i += BATCH_MAX) batches.push(items.slice(i, i + BATCH_MAX));
  progress(`${items.length} events in ${batches.length} batches of ${BATCH_MAX}`);

  // Decode and plan alone, on the same batches the pipeline gets below.
  let started = cpu();
  const decoded = batches.map((batch) => decodeItems(batch, ""));
  const decodeUs = cpu() - started;
  started = cpu();
  for (const { events } of decoded) planBatch(events.map(({ event }) => event));
  const planUs = cpu() - started;

  const db = openDatabase(tempDir("hotpath"));
  const sqlite = new SqliteVecStore(db);
  await sqlite.init(384);
  let embedUs = 0;
  let storeUs = 0;
  const hashing = new HashingEmbedder(384);
  const embedder: Embedder = Object.assign(Object.create(hashing) as Embedder, {
    embed: async (texts: readonly string[]) => {
      const t = cpu();
      const out = await hashing.embed(texts);
      embedUs += cpu() - t;
      return out;
    },
  });
  const store: VectorStore = Object.assign(Object.create(sqlite) as VectorStore, {
    write: async (...args: Parameters<VectorStore["write"]>) => {
      const t = cpu();
      const out = await sqlite.write(...args);
      storeUs += cpu() - t;
      return out;
    },
  });
  const pipeline = new Pipeline({
    embedder,
    store,
    deadLetters: new SqliteDeadLetters(db),
    usage: new SqliteUsage(db),
    tenants: new TenantLog(db),
    metrics: createGatewayMetrics(new Registry()),
    logger: createLogger({ name: "hotpath", level: "silent" }),
    topicPrefix: "",
  });
  const wall = performance.now();
  started = cpu();
  let stored = 0;
  for (const batch of batches) stored += (await pipeline.process(batch)).stored;
  const totalUs = cpu() - started;
  const seconds = (performance.now() - wall) / 1000;
  if (stored !== items.length) throw new Error(`stored ${stored} of ${items.length} events`);
  const per = (us: number) => us / items.length;
  const stages = {
    decodeUsPerEvent: per(decodeUs),
    planUsPerEvent: per(planUs),
    embedUsPerEvent: per(embedUs),
    storeUsPerEvent: per(storeUs),
    restUsPerEvent: per(totalUs - decodeUs - planUs - embedUs - storeUs),
    totalUsPerEvent: per(totalUs),
    httpRouteUsPerEvent: await httpRouteUsPerEvent(items.length, TENANTS, cpu),
  };
  printTable(`bench:hotpath — CPU µs per event, ${items.length} events, batches of ${BATCH_MAX}`, [
    {
      decode: stages.decodeUsPerEvent,
      plan: stages.planUsPerEvent,
      embed: stages.embedUsPerEvent,
      store: stages.storeUsPerEvent,
      "rest of process()": stages.restUsPerEvent,
      total: stages.totalUsPerEvent,
      "events/s (wall)": items.length / seconds,
      "POST /events route": stages.httpRouteUsPerEvent,
    },
  ]);
  writeResult("hotpath", {
    events: items.length,
    batchMax: BATCH_MAX,
    tenants: TENANTS,
    loadBefore,
    ...stages,
    eventsPerSecond: items.length / seconds,
  });
} finally {
  await cleanup();
}
