// bench:e2e — the whole mesh at a steady rate, as production runs it: creates arrive at a fixed
// rate (open loop: sent on schedule whatever the answers) for DURATION seconds, and every
// SAMPLE_EVERY-th create is followed by one `GET /search?after=<its X-Mesh-Token>`, which answers
// once that user is searchable (read-your-writes), so following costs one request, not polling.
// For each mode and rate: the rate achieved, 201 latency, 201→searchable p50/p99 and the CPU µs
// per created user of each process (user-service, gateway, and the broker or Postgres server).
// Modes: embedded (SQLite, HTTP relay, sqlite-vec), kafka (the local broker or KAFKA_BROKERS),
// postgres (users on Postgres, HTTP relay), and bare: the same creates answered by bare Hono
// (bench/http/bare-hono.ts) with nothing behind it and nothing to follow, which is the floor this
// machine and the load generator set at each rate. `bun run bench:e2e`.
// Env: MODES ("embedded,kafka,postgres"), RATES ("500,1000,2000,3000"), DURATION (20),
// SAMPLE_EVERY (20), WARMUP (2): seconds at the rate before the measured DURATION, whose samples
// and CPU are left out (a just-started stack compiles its code and fills its caches first; their
// p99 is printed apart), E2E_TRACE (a path prefix: each run's samples as [ms since the measured
// start, ms to searchable] in <prefix>-<mode>-<rate>.json, to see whether slow ones cluster).
// Each run also prints how busy the machine was, and how much CPU the host stole from it.

import { users } from "../ai-gateway/test/names.ts";
import { startStack, treeCpuSeconds } from "./lib/e2e-stack.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import {
  cpuSeconds,
  fmt,
  machine,
  machineShares,
  machineTicks,
  peakRssMb,
  percentile,
  printTable,
  progress,
  writeResult,
} from "./lib/report.ts";
import { cleanup, peakRss } from "./lib/stack.ts";

const MODES = (process.env.MODES ?? "embedded,kafka,postgres").split(",");
const RATES = (process.env.RATES ?? "500,1000,2000,3000").split(",").map(Number);
const SECONDS = Number(process.env.DURATION ?? 20);
const SAMPLE_EVERY = Number(process.env.SAMPLE_EVERY ?? 20);
const WARMUP = Number(process.env.WARMUP ?? 2);
const TENANT = "tenant-e2e";
const AUTH = { authorization: `Bearer ${TENANT}:bench` };

/** CPU seconds of this process so far. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function run(mode: string, rate: number) {
  const stack = await startStack(mode);
  const { gateway, userService } = stack;
  const warmup = Math.round(rate * WARMUP);
  const total = warmup + rate * SECONDS;
  const people = users(TENANT, total, Number(Date.now() % 100_000));
  const createMs: number[] = [];
  const visibleMs: number[] = [];
  const warmupVisibleMs: number[] = [];
  const trace: [number, number][] = [];
  let failedCreates = 0;
  let failedSearches = 0;
  const follows: Promise<void>[] = [];

  /** One search that waits for the write behind `token`; the time since the 201 when it answers. */
  const follow = async (
    id: string,
    name: string,
    token: string,
    createdAt: number,
    measured: boolean,
  ) => {
    if (!gateway) return;
    const url = `${gateway.url}/search?type=users&limit=5&q=${encodeURIComponent(name)}&after=${encodeURIComponent(token)}`;
    const response = await fetch(url, { headers: AUTH });
    const body = (await response.json()) as { hits?: { id: string }[] };
    const ms = performance.now() - createdAt;
    if (response.status !== 200 || !body.hits?.some((hit) => hit.id === id)) {
      if (measured) failedSearches++;
    } else if (!measured) warmupVisibleMs.push(ms);
    else {
      visibleMs.push(ms);
      trace.push([Math.round(createdAt - measuredFrom), Math.round(ms)]);
    }
  };

  const create = async (index: number) => {
    const person = people[index];
    if (!person) return;
    const started = performance.now();
    const response = await fetch(`${userService.url}/users/create`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ email: person.email, name: person.name }),
    });
    const done = performance.now();
    const measured = index >= warmup;
    if (measured) createMs.push(done - started);
    // Bare Hono signs no token: its 201 is all there is.
    const token = gateway ? response.headers.get("x-mesh-token") : "";
    if (response.status !== 201 || token === null) {
      if (measured) failedCreates++;
      return;
    }
    const user = (await response.json()) as { id: string };
    if (gateway && index % SAMPLE_EVERY === 0)
      follows.push(follow(user.id, person.name, token, done, measured));
  };

  const cpuNow = () => ({
    userService: cpuSeconds(userService.proc.pid) ?? Number.NaN,
    gateway: gateway ? (cpuSeconds(gateway.proc.pid) ?? Number.NaN) : Number.NaN,
    engine: treeCpuSeconds(stack.enginePid),
    /** This process: the load generator shares the machine too. */
    client: ownCpuSeconds(),
    machine: machineTicks(),
  });
  let cpuBefore = cpuNow();
  let measuredFrom = performance.now();
  progress(
    `${mode}: ${rate} creates/s for ${WARMUP} + ${SECONDS} s; one after= search per ${SAMPLE_EVERY} creates`,
  );
  const creates: Promise<void>[] = [];
  const started = performance.now();
  const send = async () => {
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      if (i === warmup) {
        cpuBefore = cpuNow();
        measuredFrom = performance.now();
      }
      creates.push(create(i));
    }
  };
  await whileRunning(`${mode} at ${rate}/s`, send(), () => `${outOf(creates.length, total)} sent`);
  await Promise.all(creates);
  const sendSeconds = (performance.now() - measuredFrom) / 1000;
  await Promise.all(follows);
  const shares = machineShares(cpuBefore.machine, machineTicks());
  const usPerEvent = (after: number, before: number) =>
    ((after - before) * 1e6) / Math.max(1, createMs.length - failedCreates);
  const result = {
    mode,
    rate,
    achievedRate: (total - warmup) / sendSeconds,
    created: createMs.length - failedCreates,
    failedCreates,
    followed: visibleMs.length,
    failedSearches,
    createP50Ms: percentile(createMs, 50),
    createP99Ms: percentile(createMs, 99),
    visibleP50Ms: percentile(visibleMs, 50),
    visibleP99Ms: percentile(visibleMs, 99),
    warmupVisibleP99Ms: percentile(warmupVisibleMs, 99),
    machineBusyPercent: shares.busyPercent,
    stealPercent: shares.stealPercent,
    userServiceCpuUsPerEvent: usPerEvent(
      cpuSeconds(userService.proc.pid) ?? Number.NaN,
      cpuBefore.userService,
    ),
    gatewayCpuUsPerEvent: gateway
      ? usPerEvent(cpuSeconds(gateway.proc.pid) ?? Number.NaN, cpuBefore.gateway)
      : Number.NaN,
    clientCpuUsPerEvent: usPerEvent(ownCpuSeconds(), cpuBefore.client),
    ...(stack.engine
      ? {
          engine: stack.engine,
          engineCpuUsPerEvent: usPerEvent(treeCpuSeconds(stack.enginePid), cpuBefore.engine),
        }
      : {}),
    userServicePeakRssMb: peakRssMb(userService.proc.pid) ?? Number.NaN,
    gatewayPeakRssMb: (gateway && peakRss(gateway)) ?? Number.NaN,
  };
  if (process.env.E2E_TRACE)
    await Bun.write(`${process.env.E2E_TRACE}-${mode}-${rate}.json`, JSON.stringify(trace));
  await userService.stop(10_000);
  await gateway?.stop(10_000);
  return result;
}

const before = machine().loadAverage;
try {
  const results = [];
  for (const mode of MODES) for (const rate of RATES) results.push(await run(mode, rate));
  printTable(
    `bench:e2e — open loop, one after= search per ${SAMPLE_EVERY} creates, ${SECONDS} s per rate (load before: ${fmt(before.one ?? Number.NaN)})`,
    results.map((r) => ({
      mode: r.mode,
      "rate asked": r.rate,
      achieved: r.achievedRate,
      "201 p50 ms": r.createP50Ms,
      "201 p99 ms": r.createP99Ms,
      "searchable p50 ms": r.visibleP50Ms,
      "searchable p99 ms": r.visibleP99Ms,
      "failed (201, search)": `${r.failedCreates}, ${r.failedSearches}`,
      "warm-up p99 ms": r.warmupVisibleP99Ms,
      "busy %": r.machineBusyPercent,
      "steal %": r.stealPercent,
      "CPU µs/event user-service": r.userServiceCpuUsPerEvent,
      gateway: r.gatewayCpuUsPerEvent,
      "load generator": r.clientCpuUsPerEvent,
      "broker/Postgres":
        "engineCpuUsPerEvent" in r ? (r.engineCpuUsPerEvent ?? Number.NaN) : Number.NaN,
    })),
  );
  writeResult("e2e", {
    loadBefore: before,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    samplingEvery: SAMPLE_EVERY,
    runs: results,
  });
} finally {
  await cleanup();
}
