// bench:http — POST /users/create on user-service under wrk: on SQLite (embedded mode) and on
// Postgres (DATABASE_URL, or the local server of pg:start), beside a bare Hono-on-Bun handler
// answering the same 201 JSON without storage, in the same run. On Postgres with pools of 1 and
// DATABASE_POOL_MAX connections (default 10): how much running transactions side by side gives.
// `bun run bench:http` (needs `wrk`: apt-get install wrk). Env: CONNECTIONS (64), DURATION (10),
// PG_POOLS ("1,10"), NO_PG=1 to leave Postgres out.

import { join } from "node:path";
import { whileRunning } from "./lib/progress.ts";
import { fmt, machine, printTable, progress, writeResult } from "./lib/report.ts";
import {
  cleanup,
  freePort,
  launch,
  launchBareHono,
  onCleanup,
  peakRss,
  postgresDatabase,
  tempDir,
} from "./lib/stack.ts";

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const DURATION_S = Number(process.env.DURATION ?? 10);
const WARMUP_S = 3;
const PG_POOLS = (process.env.PG_POOLS ?? "1,10").split(",").map(Number);
const SCRIPT = join(import.meta.dir, "http", "create-user.lua");

interface WrkResult {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

/** One wrk run: 1 thread, CONNECTIONS connections, `seconds` long. */
async function wrk(url: string, seconds: number, label: string): Promise<WrkResult> {
  const proc = Bun.spawn(
    ["wrk", "-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", SCRIPT, url, "--", label],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${err || out}`);
  return JSON.parse(line.slice("RESULT ".length)) as WrkResult;
}

function summarize(name: string, result: WrkResult, rssMb: number | undefined) {
  const errors = result.connect + result.read + result.write + result.status + result.timeout;
  return {
    target: name,
    requestsPerSecond: result.requests / (result.durationUs / 1e6),
    p50Ms: result.p50Us / 1000,
    p99Ms: result.p99Us / 1000,
    maxMs: result.maxUs / 1000,
    requests: result.requests,
    errors,
    non2xx: result.status,
    peakRssMb: rssMb ?? Number.NaN,
  };
}

if (!Bun.which("wrk")) {
  console.error("wrk is not installed: apt-get install wrk");
  process.exit(1);
}
const before = machine().loadAverage;
try {
  // The baseline: bare Hono on Bun, in its own process, measured the same way.
  const bare = await launchBareHono();

  // user-service in embedded mode. Its relay posts to a stand-in gateway that acknowledges at once,
  // so the relay drains the outbox as in production while the gateway's own work is not counted.
  const sinkPort = freePort();
  let relayed = 0;
  const sink = Bun.serve({
    hostname: "127.0.0.1",
    port: sinkPort,
    async fetch(request) {
      if (request.method !== "POST") return Response.json({ status: "ok" });
      const body = (await request.json()) as unknown[];
      relayed += Array.isArray(body) ? body.length : 1;
      return Response.json({ accepted: relayed });
    },
  });
  onCleanup(() => sink.stop(true));
  const service = await launch("user-service", {
    DATA_DIR: tempDir("http-users"),
    GATEWAY_URL: `http://127.0.0.1:${sinkPort}`,
    INGEST_TOKEN: "bench",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  });

  const rows = [];
  const targets: Array<readonly [string, string, number]> = [
    ["bare Hono (baseline)", `${bare.url}/users/create`, bare.proc.pid],
    ["user-service", `${service.url}/users/create`, service.proc.pid],
  ];
  // The same service on Postgres, one database per pool size; its relay drains to the same sink.
  for (const pool of process.env.NO_PG ? [] : PG_POOLS) {
    const pg = await launch("user-service", {
      DATA_DIR: tempDir("http-users-pg"),
      DATABASE_URL: await postgresDatabase(`http_pool${pool}`),
      DATABASE_POOL_MAX: String(pool),
      GATEWAY_URL: `http://127.0.0.1:${sinkPort}`,
      INGEST_TOKEN: "bench",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    });
    targets.push([`user-service on Postgres, pool ${pool}`, `${pg.url}/users/create`, pg.proc.pid]);
  }
  for (const [name, url, pid] of process.env.ONLY_SERVICE ? targets.slice(1) : targets) {
    progress(`${name}: warm-up ${WARMUP_S} s, then ${DURATION_S} s at ${CONNECTIONS} connections`);
    await whileRunning(`${name} warm-up`, wrk(url, WARMUP_S, "warmup"), () => `of ${WARMUP_S} s`);
    const result = await whileRunning(
      `${name} measured`,
      wrk(url, DURATION_S, "measured"),
      () => `of ${DURATION_S} s`,
    );
    rows.push(summarize(name, result, peakRss({ proc: { pid } } as Parameters<typeof peakRss>[0])));
  }
  const [baseline, measured, ...postgres] = process.env.ONLY_SERVICE ? [rows[0], rows[0]] : rows;
  if (!baseline || !measured) throw new Error("missing results");
  const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
  printTable(
    `bench:http — POST /users/create, wrk -t1 -c${CONNECTIONS}, ${DURATION_S} s (load before: ${fmt(before.one ?? Number.NaN)})`,
    rows.map((row) => ({
      target: row.target,
      "req/s": row.requestsPerSecond,
      "p50 ms": row.p50Ms,
      "p99 ms": row.p99Ms,
      errors: row.errors,
      "peak RSS MB": row.peakRssMb,
    })),
  );
  console.log(`user-service / bare Hono = ${fmt(ratio * 100)} % (aim ≥ 50 %); relayed ${relayed}`);
  for (const row of postgres) {
    if (!row) continue;
    console.log(
      `${row.target} / SQLite = ${fmt((row.requestsPerSecond / measured.requestsPerSecond) * 100)} %`,
    );
  }
  writeResult("http", {
    settings: {
      connections: CONNECTIONS,
      threads: 1,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
    },
    loadBefore: before,
    baseline,
    userService: measured,
    postgres,
    ratio,
    relayedEvents: relayed,
  });
} finally {
  await cleanup();
}
