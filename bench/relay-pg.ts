// bench:relay-pg — relay throughput from a Postgres outbox to Kafka with 1 and with 2 relays,
// each relay its own process (as two user-service replicas run them), on one outbox of EVENTS
// user.created events written in one transaction. Timed from that commit (its NOTIFY wakes the
// relays) until the outbox is empty. Beside it, the SQLite relay of bench:producer is the
// single-relay baseline. `bun run kafka:start && bun run bench:relay-pg`; Postgres from
// DATABASE_URL or the local pg:start server. Env: EVENTS (100000), RELAYS ("1,2"),
// RELAY_BATCH_MAX (500).

import { SQL } from "bun";
import {
  KafkaSink,
  migrate,
  OUTBOX_MIGRATIONS,
  outboxRow,
  postgresOutbox,
  Relay,
} from "../outbox-kit/src/index.ts";
import { createLogger } from "../service-kit/src/index.ts";
import { userCreatedEvents } from "./lib/events.ts";
import { fmt, machine, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, kafkaBrokers, onCleanup, postgresDatabase } from "./lib/stack.ts";

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const RELAYS = (process.env.RELAYS ?? "1,2").split(",").map(Number);
const BATCH = Number(process.env.RELAY_BATCH_MAX ?? 500);

/** A child process: one relay on the outbox at `url`, until killed. */
async function relayProcess(url: string, brokers: string, prefix: string): Promise<void> {
  const sql = new SQL({ url, max: 2 });
  const sink = new KafkaSink({
    brokers: [brokers],
    clientId: "bench-relay",
    topicPrefix: prefix,
    partitions: 3,
    compression: "lz4",
  });
  await sink.send([]); // creates the topics before the clock starts
  const outbox = postgresOutbox({ sql, url, rebalanceMs: 200 });
  const logger = createLogger({ name: "bench-relay", level: "warn" });
  new Relay({ outbox, sink, logger, batchMax: BATCH }).start();
  console.log("ready");
}

/** Shards held per relay session, from pg_locks. */
async function shares(sql: SQL): Promise<number[]> {
  const rows = await sql<{ held: number }[]>`
    SELECT count(*)::int AS held FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND classid::bigint = 731100 AND objid::bigint < 32
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    GROUP BY pid`;
  return rows.map((row) => row.held).sort();
}

async function runCase(relays: number, brokers: string, rows: Record<string, unknown>[]) {
  const url = await postgresDatabase(`relay${relays}`);
  const sql = new SQL({ url, max: 4 });
  onCleanup(() => sql.close());
  await migrate(sql, [OUTBOX_MIGRATIONS]);
  const prefix = `bench-${Date.now().toString(36)}-pg${relays}.`;
  const children = Array.from({ length: relays }, () =>
    Bun.spawn(["bun", import.meta.path, "--relay", url, brokers, prefix], {
      stdout: "pipe",
      stderr: "inherit",
    }),
  );
  onCleanup(() =>
    Promise.all(
      children.map((child) => {
        child.kill();
        return child.exited;
      }),
    ),
  );
  for (const child of children) {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    if (!new TextDecoder().decode(value).includes("ready")) throw new Error("relay did not start");
  }
  const even = Array.from({ length: relays }, () => 32 / relays).join(",");
  while ((await shares(sql)).join(",") !== even) await Bun.sleep(50);
  progress(`${relays} relay(s) hold ${even} shards; writing ${EVENTS} events in one transaction`);
  await sql.begin(async (tx) => {
    for (let i = 0; i < rows.length; i += 5_000) {
      await tx`INSERT INTO outbox ${sql(rows.slice(i, i + 5_000))}`;
    }
    await tx`SELECT pg_notify('outbox', '')`;
  });
  const started = performance.now();
  for (;;) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox`;
    if (row?.n === 0) break;
    await Bun.sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  return { relays, events: EVENTS, seconds, eventsPerSecond: EVENTS / seconds };
}

if (process.argv[2] === "--relay") {
  const [url, brokers, prefix] = process.argv.slice(3);
  if (!url || !brokers || !prefix) throw new Error("usage: --relay <url> <brokers> <prefix>");
  await relayProcess(url, brokers, prefix);
} else {
  const before = machine().loadAverage;
  try {
    const brokers = await kafkaBrokers();
    progress(`preparing ${EVENTS} events`);
    const rows = userCreatedEvents(EVENTS, 10).map(outboxRow);
    const results = [];
    for (const relays of RELAYS) results.push(await runCase(relays, brokers, rows));
    printTable(
      `bench:relay-pg — ${EVENTS} events, Postgres outbox → Kafka, batch ${BATCH} (load before: ${fmt(before.one ?? Number.NaN)})`,
      results.map((r) => ({ relays: r.relays, seconds: r.seconds, "events/s": r.eventsPerSecond })),
    );
    writeResult("relay-pg", {
      settings: { events: EVENTS, batch: BATCH },
      loadBefore: before,
      results,
    });
  } finally {
    await cleanup();
  }
}
