import { afterEach } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  type ServiceProcess,
  startService,
  waitReady,
} from "../../scripts/lib/service-process.ts";

export { waitFor } from "@event-mesh/service-kit";

export { freePort, metric } from "../../scripts/lib/service-process.ts";
export { type ServiceProcess, waitReady };

/**
 * What a test starts, undone after each test (registers the `afterEach`): the services in
 * `running` are stopped, then `cleanups` run in order.
 */
export function afterEachTest() {
  const running: ServiceProcess[] = [];
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop(5_000)));
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return { running, cleanups };
}

/** A fresh data folder. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "user-service-test-"));
}

/** Starts `bun src/main.ts` of `name` with `env`; keeps its log lines for failure messages. */
export function spawnService(
  env: Record<string, string>,
  port = freePort(),
  name: "user-service" | "task-service" = "user-service",
) {
  const lines: string[] = [];
  const service = startService({
    name,
    port,
    env: { LOG_LEVEL: "info", AUTH_MODE: "dev", NODE_ENV: "test", ...env },
    log: (line) => lines.push(line),
  });
  return { service, lines };
}

/**
 * Runs one stage of a test. A failure says which stage gave up, after how long, why, and what the
 * service logged last: on a busy machine "timed out" or a closed socket alone says nothing.
 */
export async function stage<T>(
  name: string,
  work: () => Promise<T>,
  log: readonly string[] = [],
): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    const why = error instanceof Error ? error.message : String(error);
    const tail = log.length > 0 ? `\nlast service log lines:\n${log.slice(-15).join("\n")}` : "";
    throw new Error(`stage "${name}" failed after ${ms} ms: ${why}${tail}`, { cause: error });
  }
}

/** Longest a test request waits: past the services' 25 s route deadline (a 504 problem). */
const CALL_TIMEOUT_MS = 30_000;

/** Sends a request as `tenant-a:user-1` (dev token). */
export async function call(
  service: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: "Bearer tenant-a:user-1", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  }).catch((error: unknown) => {
    throw new Error(`${method} ${path}: no answer (${String(error)})`);
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** The id of a created user from its response body. */
export function idOf(json: unknown): string {
  const id = typeof json === "object" && json !== null ? Reflect.get(json, "id") : undefined;
  if (typeof id !== "string") throw new Error(`no id in ${JSON.stringify(json)}`);
  return id;
}
