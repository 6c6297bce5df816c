// bench:producer — the relay publishing 100,000 outbox events to Kafka through
// @platformatic/kafka (idempotent, acks=all, lz4, as user-service runs it) versus `kcat -P`
// (librdkafka) producing the same 100,000 messages (same keys and values; headers via -H) to the
// same broker, in the same run. Also the bare client (KafkaSink.send of the same batches, no
// outbox) to separate client cost from relay cost.
// `bun run kafka:start && bun run bench:producer` (needs `kcat`: apt-get install kcat).
// Env: MESSAGES (100000), CASES (kcat,relay,client; a partial run writes no JSON, e.g.
// `CASES=relay bun --cpu-prof bench/producer.ts` for a profile of the relay alone).

import { join } from "node:path";
import { encode } from "../contracts/src/index.ts";
import { ensureTopics } from "../kafka-kit/src/index.ts";
import { KafkaSink, Relay, storedEvent } from "../outbox-kit/src/index.ts";
import { createLogger } from "../service-kit/src/index.ts";
import { SqliteUserStore } from "../user-service/src/store/sqlite.ts";
import { userCreatedEvents } from "./lib/events.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import { fmt, machine, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, kafkaBrokers, tempDir } from "./lib/stack.ts";

const MESSAGES = Number(process.env.MESSAGES ?? 100_000);
const BATCH = Number(process.env.RELAY_BATCH_MAX ?? 500); // user-service default: 500
const CASES = (process.env.CASES ?? "kcat,relay,client").split(",");
const run = Date.now().toString(36);

function sink(brokers: string, prefix: string) {
  return new KafkaSink({
    brokers: [brokers],
    clientId: "bench-producer",
    topicPrefix: prefix,
    partitions: 3,
    compression: "lz4",
  });
}

/**
 * CPU seconds (user + system) this process spent since `start`: on a loaded machine wall time
 * moves with the neighbours, CPU per message much less.
 */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

/** The relay draining an outbox of MESSAGES user.created events. */
async function relayCase(brokers: string) {
  const prefix = `bench-${run}-relay.`;
  const store = new SqliteUserStore(join(tempDir("producer"), "user-service.sqlite"));
  progress(`filling the outbox with ${MESSAGES} events (user-service store, group commit)`);
  for (let i = 0; i < MESSAGES; i += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, MESSAGES - i) }, (_, j) =>
        store.create("tenant-bench", {
          email: `u${i + j}@bench.example`,
          name: `Bench User ${i + j}`,
        }),
      ),
    );
  }
  const kafka = sink(brokers, prefix);
  await kafka.send([]); // creates the topics, so their creation is not timed
  let sent = 0;
  const relay = new Relay({
    outbox: store.outbox,
    sink: kafka,
    logger: createLogger({ name: "bench", level: "silent" }),
    batchMax: BATCH,
    onSent: (count) => {
      sent += count;
    },
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  relay.start();
  const drained = async () => {
    while (sent < MESSAGES) await Bun.sleep(5);
  };
  await whileRunning("relay draining the outbox", drained(), () => outOf(sent, MESSAGES));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu);
  await relay.stop(5_000);
  await kafka.close();
  store.close();
  return { case: "relay → @platformatic/kafka", messages: MESSAGES, seconds, cpuSeconds };
}

/** KafkaSink.send of the same batches, without the outbox. */
async function clientCase(brokers: string, records: ReturnType<typeof userCreatedEvents>) {
  const kafka = sink(brokers, `bench-${run}-client.`);
  await kafka.send([]);
  const stored = records.map(storedEvent);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let done = 0;
  const sendAll = async () => {
    for (; done < records.length; done += BATCH) await kafka.send(stored.slice(done, done + BATCH));
  };
  await whileRunning("KafkaSink.send", sendAll(), () => outOf(done, records.length));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu);
  await kafka.close();
  return {
    cpuSeconds,
    case: `@platformatic/kafka alone (KafkaSink.send, ${BATCH} per call)`,
    messages: MESSAGES,
    seconds,
  };
}

/** kcat -P of the same keys and values; the headers of the first event on every message (-H). */
async function kcatCase(brokers: string, events: ReturnType<typeof userCreatedEvents>) {
  const prefix = `bench-${run}-kcat.`;
  const topic = `${prefix}user.events`;
  await ensureTopics({ brokers: [brokers], topics: [topic], partitions: 3 });
  const records = events.map((event) => encode(event, { topicPrefix: prefix }));
  const file = join(tempDir("kcat"), "messages.tsv");
  await Bun.write(file, `${records.map((r) => `${r.key}\t${r.value}`).join("\n")}\n`);
  const headers = Object.entries(records[0]?.headers ?? {}).flatMap(([k, v]) => [
    "-H",
    `${k}=${v}`,
  ]);
  const args = [
    "kcat",
    "-P",
    "-b",
    brokers,
    "-t",
    topic,
    "-K",
    "\t",
    ...headers,
    // As the relay's producer: idempotent, acks=all, lz4, Java-compatible murmur2 partitioning.
    "-X",
    "enable.idempotence=true",
    "-X",
    "acks=all",
    "-X",
    "compression.codec=lz4",
    "-X",
    "partitioner=murmur2_random",
    "-l",
    file,
  ];
  const started = performance.now();
  const proc = Bun.spawn(args, { stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`kcat exited with ${proc.exitCode}`);
  const seconds = (performance.now() - started) / 1000;
  const usage = proc.resourceUsage();
  const cpuSeconds = usage ? Number(usage.cpuTime.total) / 1e6 : Number.NaN;
  return { case: "kcat -P (librdkafka, baseline)", messages: MESSAGES, seconds, cpuSeconds };
}

if (!Bun.which("kcat")) {
  console.error("kcat is not installed: apt-get install kcat");
  process.exit(1);
}
const before = machine().loadAverage;
try {
  const brokers = await kafkaBrokers();
  const events = userCreatedEvents(MESSAGES, 10);
  const rows = [];
  if (CASES.includes("kcat")) rows.push(await kcatCase(brokers, events));
  if (CASES.includes("relay")) rows.push(await relayCase(brokers));
  if (CASES.includes("client")) rows.push(await clientCase(brokers, events));
  const withRate = rows.map((r) => ({ ...r, messagesPerSecond: r.messages / r.seconds }));
  printTable(
    `bench:producer — ${MESSAGES} user.created messages, 3 partitions (load before: ${fmt(before.one ?? Number.NaN)})`,
    withRate.map((r) => ({
      case: r.case,
      messages: r.messages,
      seconds: r.seconds,
      "messages/s": r.messagesPerSecond,
      "CPU µs / message": (r.cpuSeconds / r.messages) * 1e6,
    })),
  );
  const [kcat, relay, client] = withRate;
  if (rows.length === 3 && kcat && relay && client) {
    const ratio = relay.messagesPerSecond / kcat.messagesPerSecond;
    const clientRatio = client.messagesPerSecond / kcat.messagesPerSecond;
    console.log(
      `relay / kcat = ${fmt(ratio * 100)} % (aim ≥ 50 %), client / kcat = ${fmt(clientRatio * 100)} %`,
    );
    writeResult("producer", {
      loadBefore: before,
      batch: BATCH,
      kcat,
      relay,
      client,
      ratio,
      clientRatio,
    });
  }
} finally {
  await cleanup();
}
