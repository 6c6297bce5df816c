// bench:ingest — 100,000 user.created events produced into Kafka first, then the gateway started
// (embedded store): events/s until all are stored. Baseline in the same run: the same gateway
// with BATCH_MAX=1 (one event, one embed, one upsert). Then the HTTP ingest path (POST /events
// batches). `bun run kafka:start && bun run bench:ingest`. Env: EVENTS (100000),
// BASELINE_EVENTS (10000), HTTP_EVENTS (100000), INGEST_BATCH_MAX (the gateway's BATCH_MAX in the
// measured case; unset → the gateway's default), CASES (`kafka,baseline,http,replay,replay-stub`: which to run;
// the replay cases are in bench/lib/replay.ts and write bench/results/ingest-replay.json).
// SPREAD (`10x5000,10000x5`: tenants × events each): the HTTP path once per spread, with the
// store's size on disk; written to bench/results/ingest-spread.json.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readConfig } from "../ai-gateway/src/config.ts";
import { encode } from "../contracts/src/index.ts";
import { contractTopics, createProducer, ensureTopics } from "../kafka-kit/src/index.ts";
import { userCreatedEvents } from "./lib/events.ts";
import { HTTP_BATCH, httpBodies } from "./lib/http-route.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import { replayCases } from "./lib/replay.ts";
import { cpuSeconds, fmt, machine, printTable, progress, writeResult } from "./lib/report.ts";
import {
  cleanup,
  kafkaBrokers,
  launch,
  metric,
  peakRss,
  type ServiceProcess,
  tempDir,
} from "./lib/stack.ts";

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const BASELINE_EVENTS = Number(process.env.BASELINE_EVENTS ?? 10_000);
const HTTP_EVENTS = Number(process.env.HTTP_EVENTS ?? 100_000);
const BATCH_MAX = Number(
  process.env.INGEST_BATCH_MAX || readConfig({ DATA_DIR: ":memory:" }).BATCH_MAX,
);
const CASES = new Set((process.env.CASES ?? "kafka,baseline,http,replay,replay-stub").split(","));
const SPREAD = (process.env.SPREAD ?? "").split(",").filter(Boolean);
const TENANTS = 10;
const run = `${Date.now().toString(36)}`;

/** Polls the gateway's stored-event counter until it reaches `count`: when the first and the last were stored. */
async function storedAll(gateway: ServiceProcess, count: number, source: string, label: string) {
  let first = Number.NaN;
  let stored = 0;
  const poll = async () => {
    for (;;) {
      stored = await metric(gateway, "ai_gateway_events_total", { source });
      if (stored > 0 && Number.isNaN(first)) first = performance.now();
      if (stored >= count) return { first, last: performance.now() };
      await Bun.sleep(50);
    }
  };
  return whileRunning(label, poll(), () => `${outOf(stored, count)} events stored`);
}

/** Where the gateway's time went: seconds spent embedding and storing, and the batches. */
async function stages(gateway: ServiceProcess) {
  return {
    batches: await metric(gateway, "ai_gateway_batch_size_messages_count"),
    embedSeconds: await metric(gateway, "ai_gateway_embed_seconds_sum"),
    storeSeconds: await metric(gateway, "ai_gateway_store_seconds_sum"),
  };
}

/** Produces `count` events into fresh topics, then times a gateway started after them. */
async function kafkaCase(brokers: string, count: number, batchMax: number) {
  const prefix = `bench-${run}-b${batchMax}.`;
  await ensureTopics({ brokers: [brokers], topics: contractTopics(prefix), partitions: 3 });
  const producer = createProducer({ brokers: [brokers], clientId: "bench-ingest" });
  const events = userCreatedEvents(count, TENANTS);
  const producedAt = performance.now();
  let produced = 0;
  const produce = async () => {
    for (let i = 0; i < events.length; i += 1_000) {
      const messages = events.slice(i, i + 1_000).map((e) => encode(e, { topicPrefix: prefix }));
      await producer.send({ messages });
      produced += messages.length;
    }
  };
  await whileRunning(`producing for BATCH_MAX=${batchMax}`, produce(), () =>
    outOf(produced, count),
  );
  await producer.close();
  progress(
    `produced ${count} events in ${((performance.now() - producedAt) / 1000).toFixed(1)} s; starting the gateway (BATCH_MAX=${batchMax})`,
  );
  const started = performance.now();
  const gateway = await launch("ai-gateway", {
    KAFKA_BROKERS: brokers,
    TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `bench-${run}-${batchMax}`,
    DATA_DIR: tempDir("ingest"),
    BATCH_MAX: String(batchMax),
  });
  const ready = performance.now();
  const cpuAtReady = cpuSeconds(gateway.proc.pid) ?? Number.NaN;
  const { first, last } = await storedAll(gateway, count, "kafka", `Kafka, BATCH_MAX=${batchMax}`);
  const seconds = (last - ready) / 1000;
  const result = {
    case: `Kafka, BATCH_MAX=${batchMax}`,
    events: count,
    eventsPerSecond: count / seconds,
    seconds,
    startupSeconds: (ready - started) / 1000,
    firstStoredSeconds: (first - ready) / 1000,
    ...(await stages(gateway)),
    peakRssMb: peakRss(gateway) ?? Number.NaN,
    // The gateway's CPU after it was ready, per event: what load on other processes does not move.
    cpuUsPerEvent: (((cpuSeconds(gateway.proc.pid) ?? Number.NaN) - cpuAtReady) * 1e6) / count,
  };
  await gateway.stop();
  return result;
}

/** POST /events in batches of HTTP_BATCH, two requests in flight, to an embedded gateway. */
async function httpCase(count: number, tenants = TENANTS) {
  const token = "bench-ingest";
  const dataDir = tempDir("ingest-http");
  // Embedded mode whatever this process's environment: a KAFKA_BROKERS set for the Kafka cases
  // would make this gateway a Kafka-mode one (consumer, usage on the billing topic), which is
  // not the case measured here (empty is unset for the services).
  const gateway = await launch("ai-gateway", {
    DATA_DIR: dataDir,
    INGEST_TOKEN: token,
    KAFKA_BROKERS: "",
  });
  const cpuAtReady = cpuSeconds(gateway.proc.pid) ?? Number.NaN;
  const events = userCreatedEvents(count, tenants, 7);
  const bodies = httpBodies(events);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let body = bodies[next++]; body; body = bodies[next++]) {
      const response = await fetch(`${gateway.url}/events`, {
        method: "POST",
        headers: { "content-type": body.contentType, authorization: `Bearer ${token}` },
        body: body.body,
      });
      if (!response.ok)
        throw new Error(`POST /events: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await whileRunning("HTTP POST /events", Promise.all([worker(), worker()]), () =>
    outOf(Math.min(next, bodies.length) * HTTP_BATCH, count),
  );
  const seconds = (performance.now() - started) / 1000;
  const result = {
    case: `HTTP POST /events, ${HTTP_BATCH} per request, 2 in flight`,
    events: count,
    eventsPerSecond: count / seconds,
    seconds,
    startupSeconds: Number.NaN,
    firstStoredSeconds: Number.NaN,
    ...(await stages(gateway)),
    peakRssMb: peakRss(gateway) ?? Number.NaN,
    // The gateway's CPU after it was ready, per event: what load on other processes does not move.
    cpuUsPerEvent: (((cpuSeconds(gateway.proc.pid) ?? Number.NaN) - cpuAtReady) * 1e6) / count,
  };
  await gateway.stop();
  const storeMb =
    readdirSync(dataDir).reduce((n, f) => n + statSync(join(dataDir, f)).size, 0) / 1e6;
  return { ...result, storeMb };
}

/** The SPREAD cases: the same events over few or many tenants. */
async function spreadCases() {
  const rows = [];
  for (const spread of SPREAD) {
    const [tenants = 0, each = 0] = spread.split("x").map(Number);
    progress(`spread ${spread}`);
    rows.push({ spread, ...(await httpCase(tenants * each, tenants)) });
  }
  printTable(
    `bench:ingest — spread over tenants, HTTP POST /events of ${HTTP_BATCH}, 2 in flight (load before: ${fmt(machine().loadAverage.one ?? Number.NaN)})`,
    rows.map((row) => ({
      "tenants × events": row.spread,
      "events/s": row.eventsPerSecond,
      "store s": row.storeSeconds,
      "store on disk MB": row.storeMb,
      "gateway peak RSS MB": row.peakRssMb,
    })),
  );
  writeResult("ingest-spread", { loadBefore: machine().loadAverage, rows });
}

const before = machine().loadAverage;
try {
  const brokers = [...CASES].some((c) => c !== "http") ? await kafkaBrokers() : "";
  const measured = CASES.has("kafka") ? await kafkaCase(brokers, EVENTS, BATCH_MAX) : null;
  const baseline = CASES.has("baseline") ? await kafkaCase(brokers, BASELINE_EVENTS, 1) : null;
  const http = CASES.has("http") ? await httpCase(HTTP_EVENTS) : null;
  if (SPREAD.length > 0) await spreadCases();
  const ratio =
    measured && baseline ? measured.eventsPerSecond / baseline.eventsPerSecond : Number.NaN;
  printTable(
    `bench:ingest — user.created over ${TENANTS} tenants into the embedded store (load before: ${fmt(before.one ?? Number.NaN)})`,
    [baseline, measured, http]
      .flatMap((row) => (row ? [row] : []))
      .map((row) => ({
        case: row.case,
        events: row.events,
        "events/s": row.eventsPerSecond,
        "seconds (after ready)": row.seconds,
        "first stored after (s)": row.firstStoredSeconds,
        "embed s": row.embedSeconds,
        "store s": row.storeSeconds,
        "gateway peak RSS MB": row.peakRssMb,
        "gateway CPU µs/event": row.cpuUsPerEvent,
      })),
  );
  console.log(
    `BATCH_MAX=${BATCH_MAX} / BATCH_MAX=1 = ${fmt(ratio)}× (aim ≥ 10×, and ≥ 20,000 events/s); the baseline ran on ${BASELINE_EVENTS} events`,
  );
  // A partial run (CASES) is a quick look; only the full run is the recorded result. Under
  // bench:compare (BENCH_RESULTS_DIR, a temporary folder) a partial run is written too, with
  // the cases it ran, so that the comparison has its figures.
  if ((measured && baseline && http) || process.env.BENCH_RESULTS_DIR)
    writeResult("ingest", {
      loadBefore: before,
      ...(measured ? { measured } : {}),
      ...(baseline ? { baseline } : {}),
      ...(http ? { http } : {}),
      ratio,
    });
  await replayCases(brokers, CASES, EVENTS, TENANTS, before);
} finally {
  await cleanup();
}
