// The replay case of bench:ingest: the same events consumed a second time by a gateway on the
// same DATA_DIR (a new consumer group, so it reads the topics from the start), where the
// embedding cache answers every text. Optionally with the OpenAI-compatible embedder against a
// local stub (the test suite's EmbeddingsServer), to count the texts actually sent.

import { EmbeddingsServer } from "../../ai-gateway/test/embeddings-server.ts";
import { encode } from "../../contracts/src/index.ts";
import { contractTopics, createProducer, ensureTopics } from "../../kafka-kit/src/index.ts";
import { userCreatedEvents } from "./events.ts";
import { outOf, whileRunning } from "./progress.ts";
import { fmt, printTable, progress, writeResult } from "./report.ts";
import { launch, metric, type ServiceProcess, tempDir } from "./stack.ts";

/** Polls the gateway's stored-event counter until it reaches `count`; when the last was stored. */
async function storedAll(gateway: ServiceProcess, count: number, label: string) {
  let stored = 0;
  const poll = async () => {
    for (;;) {
      stored = await metric(gateway, "ai_gateway_events_total", { source: "kafka" });
      if (stored >= count) return performance.now();
      await Bun.sleep(50);
    }
  };
  return whileRunning(label, poll(), () => `${outOf(stored, count)} events stored`);
}

/** Produces `count` user.created events over `tenants` tenants into fresh topics of `prefix`. */
export async function produceUsers(
  brokers: string,
  prefix: string,
  count: number,
  tenants: number,
) {
  await ensureTopics({ brokers: [brokers], topics: contractTopics(prefix), partitions: 3 });
  const producer = createProducer({ brokers: [brokers], clientId: "bench-ingest" });
  const events = userCreatedEvents(count, tenants);
  for (let i = 0; i < events.length; i += 1_000) {
    await producer.send({
      messages: events.slice(i, i + 1_000).map((event) => encode(event, { topicPrefix: prefix })),
    });
  }
  await producer.close();
}

/** One pass of a gateway over the topics, until every event is stored. */
async function pass(env: Record<string, string>, group: string, count: number, label: string) {
  const gateway = await launch("ai-gateway", { ...env, KAFKA_GROUP_ID: group });
  const ready = performance.now();
  const last = await storedAll(gateway, count, label);
  const seconds = (last - ready) / 1000;
  const result = {
    seconds,
    eventsPerSecond: count / seconds,
    computed: await metric(gateway, "ai_gateway_embedding_cache_misses_total"),
    cached: await metric(gateway, "ai_gateway_embedding_cache_hits_total"),
    embedSeconds: await metric(gateway, "ai_gateway_embed_seconds_sum"),
  };
  await gateway.stop();
  return result;
}

/** First pass, then the replay on the same DATA_DIR; with `stub`, the OpenAI-compatible embedder. */
export async function replayCase(brokers: string, count: number, tenants: number, stub: boolean) {
  const run = `${Date.now().toString(36)}-${stub ? "stub" : "hashing"}`;
  const prefix = `bench-replay-${run}.`;
  await produceUsers(brokers, prefix, count, tenants);
  const server = stub ? new EmbeddingsServer(384) : null;
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers,
    TOPIC_PREFIX: prefix,
    DATA_DIR: tempDir("ingest-replay"),
    ...(server ? { EMBEDDINGS_URL: server.url, EMBEDDINGS_MODEL: "bench-stub" } : {}),
  };
  try {
    progress(
      `replay (${stub ? "OpenAI-compatible stub" : "hashing"}): first pass of ${count} events`,
    );
    const first = await pass(env, `bench-${run}-1`, count, "replay, first pass");
    const firstTexts = server?.texts.length ?? Number.NaN;
    progress(`replay: second pass over the same ${count} events, same DATA_DIR`);
    const second = await pass(env, `bench-${run}-2`, count, "replay, second pass");
    const secondTexts = server ? server.texts.length - firstTexts : Number.NaN;
    return {
      case: `replay, ${stub ? "OpenAI-compatible stub" : "hashing embedder"}`,
      events: count,
      first: { ...first, textsSent: firstTexts },
      replay: { ...second, textsSent: secondTexts },
      speedup: second.eventsPerSecond / first.eventsPerSecond,
    };
  } finally {
    server?.stop();
  }
}

/** The replay cases named in `cases` (`replay`, `replay-stub`): table, speed-up, ingest-replay.json. */
export async function replayCases(
  brokers: string,
  cases: ReadonlySet<string>,
  count: number,
  tenants: number,
  loadBefore: { one?: number | undefined },
) {
  const rows = [];
  if (cases.has("replay")) rows.push(await replayCase(brokers, count, tenants, false));
  if (cases.has("replay-stub")) rows.push(await replayCase(brokers, count, tenants, true));
  if (rows.length === 0) return;
  printTable(
    `bench:ingest replay — the same ${count} events consumed twice on one DATA_DIR (load before: ${fmt(loadBefore.one ?? Number.NaN)})`,
    rows.flatMap((row) =>
      [row.first, row.replay].map((pass, i) => ({
        case: `${row.case}, ${i === 0 ? "first pass" : "replay"}`,
        "events/s": pass.eventsPerSecond,
        seconds: pass.seconds,
        "embeddings computed": pass.computed,
        "cache hits": pass.cached,
        "texts sent to the stub": pass.textsSent,
        "embed s": pass.embedSeconds,
      })),
    ),
  );
  for (const row of rows) console.log(`${row.case}: replay / first pass = ${fmt(row.speedup)}×`);
  writeResult("ingest-replay", { loadBefore, events: count, rows });
}
