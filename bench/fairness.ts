// bench:fairness — tenant A posts 100,000 events to the gateway's POST /events at once (an
// import: requests of 1,000, 4 in flight) while tenant B creates users through user-service at
// 50/s (its relay posts to the same gateway). Measured: B's 201 → searchable time, p50/p99, for
// B alone (quiet), under A's flood with fair batching, and under the flood with FAIR_BATCHING=false.
// Every create of B is followed (polled every POLL_MS). Aim: B's p99 under the flood within 2×
// its quiet p99. `bun run bench:fairness`. Env: FLOOD (100000), RATE (50), DURATION (s, 10),
// POLL_MS (10).

import { users } from "../ai-gateway/test/names.ts";
import { encodeHttpBatch, makeEvent } from "../contracts/src/index.ts";
import { whileRunning } from "./lib/progress.ts";
import { fmt, machine, percentile, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, launch, tempDir } from "./lib/stack.ts";

const FLOOD = Number(process.env.FLOOD ?? 100_000);
const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.DURATION ?? 10);
const POLL_MS = Number(process.env.POLL_MS ?? 10);
const FLOOD_REQUEST = 1_000;
const TOKEN = "bench-fairness";
const B = "tenant-b";
const AUTH = { authorization: `Bearer ${B}:bench` };

/** A's import: every event posted, 4 requests in flight; resolves when all were answered 200. */
async function flood(gatewayUrl: string) {
  const events = users("tenant-a", FLOOD, 11).map((data) =>
    makeEvent("user.created", { tenantId: "tenant-a", source: "urn:bench", data }),
  );
  const bodies: { contentType: string; body: string }[] = [];
  for (let i = 0; i < events.length; i += FLOOD_REQUEST)
    bodies.push(encodeHttpBatch(events.slice(i, i + FLOOD_REQUEST)));
  let next = 0;
  const worker = async () => {
    for (let body = bodies[next++]; body; body = bodies[next++]) {
      const response = await fetch(`${gatewayUrl}/events`, {
        method: "POST",
        headers: { "content-type": body.contentType, authorization: `Bearer ${TOKEN}` },
        body: body.body,
      });
      if (!response.ok) throw new Error(`flood: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** B creates at RATE for SECONDS; returns each create's 201 → searchable time and when it was made. */
async function quietTenant(serviceUrl: string, gatewayUrl: string) {
  const people = users(B, RATE * SECONDS, Number(Date.now() % 100_000));
  const samples: { at: number; ms: number }[] = [];
  let failed = 0;
  const follow = async (id: string, name: string, createdAt: number) => {
    for (;;) {
      const url = `${gatewayUrl}/search?type=users&limit=10&q=${encodeURIComponent(name)}`;
      const body = (await (await fetch(url, { headers: AUTH })).json()) as {
        hits?: { id: string }[];
      };
      if (body.hits?.some((hit) => hit.id === id))
        return void samples.push({ at: createdAt, ms: performance.now() - createdAt });
      if (performance.now() - createdAt > 60_000) return void failed++;
      await Bun.sleep(POLL_MS);
    }
  };
  const follows: Promise<void>[] = [];
  const started = performance.now();
  for (const [i, person] of people.entries()) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    follows.push(
      (async () => {
        const response = await fetch(`${serviceUrl}/users/create`, {
          method: "POST",
          headers: { ...AUTH, "content-type": "application/json" },
          body: JSON.stringify({ email: person.email, name: person.name }),
        });
        const done = performance.now();
        if (response.status !== 201) return void failed++;
        const user = (await response.json()) as { id: string };
        await follow(user.id, person.name, done);
      })(),
    );
  }
  await Promise.all(follows);
  return { samples, failed };
}

/** One run on a fresh stack; with `withFlood`, A's import starts with B's first create. */
async function runCase(name: string, withFlood: boolean, fair: boolean) {
  progress(
    `${name}: B at ${RATE}/s for ${SECONDS} s${withFlood ? `, A posts ${FLOOD} events` : ""}`,
  );
  const gateway = await launch("ai-gateway", {
    DATA_DIR: tempDir("fair-gw"),
    INGEST_TOKEN: TOKEN,
    INGEST_MAX_EVENTS: String(FLOOD_REQUEST),
    FAIR_BATCHING: String(fair),
    LOG_LEVEL: "warn",
  });
  const service = await launch("user-service", {
    DATA_DIR: tempDir("fair-us"),
    GATEWAY_URL: gateway.url,
    INGEST_TOKEN: TOKEN,
    LOG_LEVEL: "warn",
  });
  const started = performance.now();
  let floodEnd = Number.POSITIVE_INFINITY;
  const importing = withFlood
    ? flood(gateway.url).then(() => {
        floodEnd = performance.now();
      })
    : Promise.resolve();
  const { samples, failed } = await whileRunning(name, quietTenant(service.url, gateway.url));
  await importing;
  // Under the flood: B's creates made while A's import was still being stored.
  const during = withFlood ? samples.filter((s) => s.at < floodEnd).map((s) => s.ms) : [];
  const all = samples.map((s) => s.ms);
  await service.stop();
  await gateway.stop();
  return {
    case: name,
    fair,
    followed: samples.length,
    failed,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    duringFlood: during.length,
    duringP50Ms: withFlood ? percentile(during, 50) : Number.NaN,
    duringP99Ms: withFlood ? percentile(during, 99) : Number.NaN,
    floodSeconds: withFlood ? (floodEnd - started) / 1000 : Number.NaN,
  };
}

const before = machine().loadAverage;
try {
  const quiet = await runCase("B alone (fair batching)", false, true);
  const fair = await runCase("B under A's flood, fair batching", true, true);
  const unfair = await runCase("B under A's flood, FAIR_BATCHING=false", true, false);
  const rows = [quiet, fair, unfair];
  printTable(
    `bench:fairness — B creates ${RATE}/s through user-service, A imports ${FLOOD} events over POST /events (load before: ${fmt(before.one ?? Number.NaN)})`,
    rows.map((row) => ({
      case: row.case,
      followed: row.followed,
      failed: row.failed,
      "201→searchable p50 ms": row.p50Ms,
      "p99 ms": row.p99Ms,
      "during the flood: creates": row.duringFlood,
      "p50 ms": row.duringP50Ms,
      "p99 ms ": row.duringP99Ms,
      "flood s": row.floodSeconds,
    })),
  );
  const ratio = (row: typeof fair) => (row.duringP99Ms || row.p99Ms) / quiet.p99Ms;
  console.log(
    `p99 under the flood / quiet p99: fair ${fmt(ratio(fair))}×, unfair ${fmt(ratio(unfair))}× (aim ≤ 2×)`,
  );
  writeResult("fairness", { loadBefore: before, flood: FLOOD, rate: RATE, seconds: SECONDS, rows });
} finally {
  await cleanup();
}
