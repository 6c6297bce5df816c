// bench:e2e — both services embedded (user-service's relay posts to the gateway's /events), at a
// fixed 500 creates/s for 30 s: the time from the 201 of POST /users/create to the first search
// that finds that user. One created user in SAMPLE_EVERY is followed (polled every POLL_MS), so
// the polling itself does not load the gateway more than the writes do.
// `bun run bench:e2e`. Env: RATE (500), DURATION (30), SAMPLE_EVERY (10), POLL_MS (10).

import { users } from "../ai-gateway/test/names.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import { fmt, machine, percentile, printTable, progress, writeResult } from "./lib/report.ts";
import { cleanup, launch, peakRss, tempDir } from "./lib/stack.ts";

const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.DURATION ?? 30);
const SAMPLE_EVERY = Number(process.env.SAMPLE_EVERY ?? 10);
const POLL_MS = Number(process.env.POLL_MS ?? 10);
const TENANT = "tenant-e2e";
const AUTH = { authorization: `Bearer ${TENANT}:bench` };

const before = machine().loadAverage;
try {
  const token = "bench-e2e";
  const gateway = await launch("ai-gateway", { DATA_DIR: tempDir("e2e-gw"), INGEST_TOKEN: token });
  const service = await launch("user-service", {
    DATA_DIR: tempDir("e2e-us"),
    GATEWAY_URL: gateway.url,
    INGEST_TOKEN: token,
  });
  const total = RATE * SECONDS;
  const people = users(TENANT, total, Number(Date.now() % 100_000));
  const createMs: number[] = [];
  const visibleMs: number[] = [];
  let failed = 0;
  const follows: Promise<void>[] = [];

  /** Polls the search until the user is among the hits; records the time since the 201. */
  const follow = async (id: string, name: string, createdAt: number) => {
    for (;;) {
      const url = `${gateway.url}/search?type=users&limit=10&q=${encodeURIComponent(name)}`;
      const response = await fetch(url, { headers: AUTH });
      const body = (await response.json()) as { hits?: { id: string }[] };
      if (body.hits?.some((hit) => hit.id === id)) {
        visibleMs.push(performance.now() - createdAt);
        return;
      }
      if (performance.now() - createdAt > 30_000) {
        failed++;
        return;
      }
      await Bun.sleep(POLL_MS);
    }
  };

  const create = async (index: number) => {
    const person = people[index];
    if (!person) return;
    const started = performance.now();
    const response = await fetch(`${service.url}/users/create`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ email: person.email, name: person.name }),
    });
    const done = performance.now();
    createMs.push(done - started);
    if (response.status !== 201) {
      failed++;
      return;
    }
    const user = (await response.json()) as { id: string };
    if (index % SAMPLE_EVERY === 0) follows.push(follow(user.id, person.name, done));
  };

  progress(`${RATE} creates/s for ${SECONDS} s; following 1 in ${SAMPLE_EVERY}`);
  const creates: Promise<void>[] = [];
  const started = performance.now();
  const send = async () => {
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      creates.push(create(i));
    }
  };
  await whileRunning("creating users", send(), () => `${outOf(creates.length, total)} sent`);
  await Promise.all(creates);
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(follows);

  const result = {
    rate: RATE,
    seconds: SECONDS,
    created: createMs.length,
    achievedRate: total / sendSeconds,
    followed: visibleMs.length,
    failed,
    createP50Ms: percentile(createMs, 50),
    createP99Ms: percentile(createMs, 99),
    visibleP50Ms: percentile(visibleMs, 50),
    visibleP99Ms: percentile(visibleMs, 99),
    visibleMaxMs: Math.max(...visibleMs),
    userServicePeakRssMb: peakRss(service) ?? Number.NaN,
    gatewayPeakRssMb: peakRss(gateway) ?? Number.NaN,
  };
  printTable(
    `bench:e2e — ${RATE} creates/s for ${SECONDS} s, embedded mode (load before: ${fmt(before.one ?? Number.NaN)})`,
    [
      {
        "creates/s achieved": result.achievedRate,
        "201 p50 ms": result.createP50Ms,
        "201 p99 ms": result.createP99Ms,
        followed: result.followed,
        "201→searchable p50 ms": result.visibleP50Ms,
        "p99 ms": result.visibleP99Ms,
        "max ms": result.visibleMaxMs,
        "user-service RSS MB": result.userServicePeakRssMb,
        "gateway RSS MB": result.gatewayPeakRssMb,
      },
    ],
  );
  // Every raw sample (µs precision), so that bench:charts can draw the distribution again.
  const raw = (values: number[]) => values.map((value) => Math.round(value * 1000) / 1000);
  writeResult("e2e", {
    loadBefore: before,
    samplingEvery: SAMPLE_EVERY,
    pollMs: POLL_MS,
    ...result,
    samples: { createMs: raw(createMs), visibleMs: raw(visibleMs) },
  });
} finally {
  await cleanup();
}
