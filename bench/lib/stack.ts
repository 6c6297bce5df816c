// Starting services for a benchmark: temporary data folders, free ports, readiness, peak RSS.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  freePort,
  type ServiceProcess,
  startService,
  waitReady,
} from "../../scripts/lib/service-process.ts";
import { peakRssMb, progress } from "./report.ts";

export type { ServiceProcess } from "../../scripts/lib/service-process.ts";
export { freePort, metric } from "../../scripts/lib/service-process.ts";

/** A fresh temporary folder; removed by `cleanup()`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const cleanups: (() => unknown)[] = [];

/** Registers a clean-up step for `cleanup()`. */
export function onCleanup(step: () => unknown): void {
  cleanups.push(step);
}

/** Runs every registered clean-up (stops services, removes folders), last first. */
export async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      progress(`clean-up step failed: ${String(error)}`);
    }
  }
}

/**
 * Starts a service as a user would (`bun src/main.ts` in its folder, like scripts/dev.ts), waits
 * for /readyz and registers its stop. Its log lines go to a file, not through a pipe into this
 * process: reading every request's log line here would take CPU from the service being measured.
 */
export async function launch(
  name: "user-service" | "ai-gateway",
  env: Record<string, string | undefined>,
  options: { readyPath?: string } = {},
): Promise<ServiceProcess & { logFile: string }> {
  const port = freePort();
  const logFile = join(tempDir(`${name}-log`), "service.log");
  const service = { ...startService({ name, port, env, logFile }), logFile };
  cleanups.push(() => service.stop(10_000));
  try {
    await waitReady(service, options.readyPath ?? "/readyz", 60_000);
  } catch (error) {
    // The log folder is removed by cleanup(): show its end now.
    const log = [logFile, `${logFile}.err`].map((file) => readFileSync(file, "utf8")).join("");
    progress(
      `${name} did not start; the end of its log:\n${log.split("\n").slice(-15).join("\n")}`,
    );
    throw error;
  }
  return service;
}

/**
 * The baselines' bare Hono-on-Bun handler (bench/http/bare-hono.ts: the same 201 user JSON as
 * POST /users/create, no auth, validation, logging or storage) in a process of its own, ready;
 * stopped by `cleanup()`.
 */
export async function launchBareHono(): Promise<{ url: string; proc: Subprocess }> {
  const port = freePort();
  const proc = Bun.spawn(["bun", join(import.meta.dir, "..", "http", "bare-hono.ts")], {
    env: { ...process.env, PORT: String(port) },
    stdout: "ignore",
    stderr: "inherit",
  });
  cleanups.push(() => {
    proc.kill();
    return proc.exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const service = { name: "bare-hono", url, proc, exited: proc.exited };
  await waitReady(service as Parameters<typeof waitReady>[0], "/readyz");
  return { url, proc };
}

/** Peak RSS of a running service, in MB. */
export function peakRss(service: ServiceProcess): number | undefined {
  return peakRssMb(service.proc.pid);
}

/** KAFKA_BROKERS, or the local broker of `bun run kafka:start`; exits with a hint when none answers. */
export async function kafkaBrokers(): Promise<string> {
  const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:19092";
  const [host, port] = (brokers.split(",")[0] ?? "").split(":");
  try {
    const socket = await Bun.connect({
      hostname: host ?? "127.0.0.1",
      port: Number(port),
      socket: { data() {} },
    });
    socket.end();
  } catch {
    console.error(`no Kafka broker at ${brokers}: run \`bun run kafka:start\` first`);
    process.exit(1);
  }
  return brokers;
}

/**
 * A fresh database for one benchmark, dropped by `cleanup()`: on DATABASE_URL's server when
 * set, else on the local server of `bun run pg:start` (started, or reused, here).
 */
export async function postgresDatabase(label: string): Promise<string> {
  const { SQL } = await import("bun");
  let server = process.env.DATABASE_URL;
  if (!server) {
    const { startPg } = await import("../../scripts/pg/server.ts");
    server = (await startPg({ log: progress })).url;
  }
  const name = `bench_${label}_${Date.now().toString(36)}`;
  const admin = new SQL({ url: server, max: 1 });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.close();
  cleanups.push(async () => {
    const sql = new SQL({ url: server, max: 1 });
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await sql.close();
  });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}
