// bench:e2e — the whole mesh at a steady rate, as production runs it: creates arrive at a fixed
// rate (open loop: sent on schedule whatever the answers) for DURATION seconds, and every
// SAMPLE_EVERY-th create is followed by one `GET /search?after=<its X-Mesh-Token>`, which answers
// once that user is searchable (read-your-writes), so following costs one request, not polling.
// For each mode and rate: the rate achieved, 201 latency, 201→searchable p50/p99 and the CPU µs
// per created user of each process (user-service, gateway, and the broker or Postgres server).
// Modes: embedded (SQLite, HTTP relay, sqlite-vec), kafka (the local broker or KAFKA_BROKERS),
// postgres (users on Postgres, HTTP relay). `bun run bench:e2e`.
// Env: MODES ("embedded,kafka,postgres"), RATES ("500,1000,2000,3000"), DURATION (20),
// SAMPLE_EVERY (20).

import { readdirSync, readFileSync } from "node:fs";
import { users } from "../ai-gateway/test/names.ts";
import { brokerStatus } from "../scripts/kafka.ts";
import { outOf, whileRunning } from "./lib/progress.ts";
import {
  cpuSeconds,
  fmt,
  machine,
  percentile,
  printTable,
  progress,
  writeResult,
} from "./lib/report.ts";
import { cleanup, kafkaBrokers, launch, peakRss, postgresDatabase, tempDir } from "./lib/stack.ts";

const MODES = (process.env.MODES ?? "embedded,kafka,postgres").split(",");
const RATES = (process.env.RATES ?? "500,1000,2000,3000").split(",").map(Number);
const SECONDS = Number(process.env.DURATION ?? 20);
const SAMPLE_EVERY = Number(process.env.SAMPLE_EVERY ?? 20);
const TENANT = "tenant-e2e";
const AUTH = { authorization: `Bearer ${TENANT}:bench` };

/** The pid of the process that serves Postgres at `url` (its postmaster), or undefined. */
async function postgresPid(url: string): Promise<number | undefined> {
  const { SQL } = await import("bun");
  const sql = new SQL({ url, max: 1 });
  try {
    const rows =
      (await sql`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`) as {
        pid: number;
      }[];
    // The checkpointer's parent is the postmaster; /proc gives it.
    const pid = rows[0]?.pid;
    if (!pid) return undefined;
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  } finally {
    await sql.close();
  }
}

/** CPU seconds of a process and all its children that have exited or still run (Postgres backends). */
function treeCpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const own = cpuSeconds(pid) ?? Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime + cstime: children that have been waited for.
    const children = (Number(fields[13]) + Number(fields[14])) / 100;
    let running = 0;
    for (const child of readdirSync("/proc")) {
      if (!/^\d+$/.test(child)) continue;
      try {
        const s = readFileSync(`/proc/${child}/stat`, "utf8");
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        if (Number(f[1]) === pid) running += (Number(f[11]) + Number(f[12])) / 100;
      } catch {}
    }
    return own + children + running;
  } catch {
    return own;
  }
}

interface Stack {
  userService: Awaited<ReturnType<typeof launch>>;
  gateway: Awaited<ReturnType<typeof launch>>;
  /** The broker's or Postgres' pid, for its CPU. */
  enginePid?: number | undefined;
  engine?: string;
}

async function startStack(mode: string): Promise<Stack> {
  const token = crypto.randomUUID();
  if (mode === "kafka") {
    const brokers = await kafkaBrokers();
    const prefix = `bench-e2e-${crypto.randomUUID().slice(0, 8)}.`;
    const shared = { KAFKA_BROKERS: brokers, TOPIC_PREFIX: prefix };
    const gateway = await launch("ai-gateway", {
      ...shared,
      DATA_DIR: tempDir("e2e-gw"),
      KAFKA_GROUP_ID: `${prefix}gw`,
    });
    const userService = await launch("user-service", { ...shared, DATA_DIR: tempDir("e2e-us") });
    const status = await brokerStatus();
    return { gateway, userService, enginePid: status.pid ?? undefined, engine: "broker" };
  }
  // KAFKA_BROKERS and DATABASE_URL empty (unset for the services): they inherit this process's
  // environment, and a gateway given the bench's broker would read that broker's default topics
  // (earlier runs' events) instead of the HTTP relay's.
  const gateway = await launch("ai-gateway", {
    DATA_DIR: tempDir("e2e-gw"),
    INGEST_TOKEN: token,
    KAFKA_BROKERS: "",
  });
  const env: Record<string, string> = {
    DATA_DIR: tempDir("e2e-us"),
    GATEWAY_URL: gateway.url,
    INGEST_TOKEN: token,
    KAFKA_BROKERS: "",
    DATABASE_URL: "",
  };
  if (mode === "postgres") {
    env.DATABASE_URL = await postgresDatabase("e2e");
    const userService = await launch("user-service", env);
    return {
      gateway,
      userService,
      enginePid: await postgresPid(env.DATABASE_URL),
      engine: "postgres",
    };
  }
  return { gateway, userService: await launch("user-service", env) };
}

async function run(mode: string, rate: number) {
  const stack = await startStack(mode);
  const { gateway, userService } = stack;
  const total = rate * SECONDS;
  const people = users(TENANT, total, Number(Date.now() % 100_000));
  const createMs: number[] = [];
  const visibleMs: number[] = [];
  let failedCreates = 0;
  let failedSearches = 0;
  const follows: Promise<void>[] = [];

  /** One search that waits for the write behind `token`; the time since the 201 when it answers. */
  const follow = async (id: string, name: string, token: string, createdAt: number) => {
    const url = `${gateway.url}/search?type=users&limit=5&q=${encodeURIComponent(name)}&after=${encodeURIComponent(token)}`;
    const response = await fetch(url, { headers: AUTH });
    const body = (await response.json()) as { hits?: { id: string }[] };
    if (response.status === 200 && body.hits?.some((hit) => hit.id === id))
      visibleMs.push(performance.now() - createdAt);
    else failedSearches++;
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
    createMs.push(done - started);
    const token = response.headers.get("x-mesh-token");
    if (response.status !== 201 || !token) {
      failedCreates++;
      return;
    }
    const user = (await response.json()) as { id: string };
    if (index % SAMPLE_EVERY === 0) follows.push(follow(user.id, person.name, token, done));
  };

  const cpuBefore = {
    userService: cpuSeconds(userService.proc.pid) ?? Number.NaN,
    gateway: cpuSeconds(gateway.proc.pid) ?? Number.NaN,
    engine: treeCpuSeconds(stack.enginePid),
  };
  progress(
    `${mode}: ${rate} creates/s for ${SECONDS} s; one after= search per ${SAMPLE_EVERY} creates`,
  );
  const creates: Promise<void>[] = [];
  const started = performance.now();
  const send = async () => {
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      creates.push(create(i));
    }
  };
  await whileRunning(`${mode} at ${rate}/s`, send(), () => `${outOf(creates.length, total)} sent`);
  await Promise.all(creates);
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(follows);
  const usPerEvent = (after: number, before: number) =>
    ((after - before) * 1e6) / Math.max(1, createMs.length - failedCreates);
  const result = {
    mode,
    rate,
    achievedRate: total / sendSeconds,
    created: createMs.length - failedCreates,
    failedCreates,
    followed: visibleMs.length,
    failedSearches,
    createP50Ms: percentile(createMs, 50),
    createP99Ms: percentile(createMs, 99),
    visibleP50Ms: percentile(visibleMs, 50),
    visibleP99Ms: percentile(visibleMs, 99),
    userServiceCpuUsPerEvent: usPerEvent(
      cpuSeconds(userService.proc.pid) ?? Number.NaN,
      cpuBefore.userService,
    ),
    gatewayCpuUsPerEvent: usPerEvent(cpuSeconds(gateway.proc.pid) ?? Number.NaN, cpuBefore.gateway),
    ...(stack.engine
      ? {
          engine: stack.engine,
          engineCpuUsPerEvent: usPerEvent(treeCpuSeconds(stack.enginePid), cpuBefore.engine),
        }
      : {}),
    userServicePeakRssMb: peakRss(userService) ?? Number.NaN,
    gatewayPeakRssMb: peakRss(gateway) ?? Number.NaN,
  };
  await userService.stop(10_000);
  await gateway.stop(10_000);
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
      "CPU µs/event user-service": r.userServiceCpuUsPerEvent,
      gateway: r.gatewayCpuUsPerEvent,
      "broker/Postgres":
        "engineCpuUsPerEvent" in r ? (r.engineCpuUsPerEvent ?? Number.NaN) : Number.NaN,
    })),
  );
  writeResult("e2e", {
    loadBefore: before,
    seconds: SECONDS,
    samplingEvery: SAMPLE_EVERY,
    runs: results,
  });
} finally {
  await cleanup();
}
