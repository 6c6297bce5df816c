// Runs one service of the stack as a child process: used by `bun run dev`, the end-to-end
// tests and the benchmarks, so all three start services the same way a user would.

import { join } from "node:path";
import type { Subprocess } from "bun";
import { describeProblem } from "../../service-kit/src/problem.ts";

/** The repository root. */
export const ROOT = join(import.meta.dir, "..", "..");

/** What a service needs to run. */
export interface ServiceSpec {
  /** `user-service`, `task-service` or `ai-gateway`. */
  name: "user-service" | "task-service" | "ai-gateway";
  /** Port to listen on (127.0.0.1). */
  port: number;
  /** Extra environment, on top of the parent's. */
  env: Record<string, string | undefined>;
  /** Where log lines go; each line is prefixed with the service name. Default: discard. */
  log?: (line: string) => void;
  /**
   * Run in its own process group, so that Ctrl-C in a terminal reaches only the parent, which
   * then stops the service with one SIGTERM (a second signal makes a service exit at once,
   * without draining). Default false: a crashed test run then takes its services with it.
   */
  detached?: boolean;
  /**
   * Write stdout to this file (and stderr to `<logFile>.err`) instead of piping lines into this
   * process: a benchmark must not spend the CPU it measures on reading every log line.
   */
  logFile?: string;
}

/** A running service. */
export interface ServiceProcess {
  name: string;
  url: string;
  proc: Subprocess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
  /** `kill -9`: no clean-up at all, as a crash would. */
  kill9(): Promise<number>;
}

/**
 * The RAM Bun's garbage collector is told the machine has (`BUN_JSC_forceRAMSize`, bytes), unless
 * the environment sets it. Bun sizes the JavaScript heap from the machine's RAM (in a container,
 * from its memory limit): on a 24 GiB host it let the gateway's heap grow to 230 MB between
 * collections during an ingest flood. With 1 GiB its peak RSS fell from 367 to 269–277 MB (Kafka)
 * and from 213 to 166–173 MB (HTTP), at the same rate (bench/README.md, round 8).
 */
export const SERVICE_RAM_BYTES = String(1024 ** 3);

/** Starts a service from its package folder with `bun src/main.ts`. */
export function startService(spec: ServiceSpec): ServiceProcess {
  // SERVICE_CPU_PROF_DIR: each service writes a CPU profile (and its Markdown summary) there
  // when it exits, e.g. to see where a benchmark's steady load goes (bench/README.md).
  const profileDir = process.env.SERVICE_CPU_PROF_DIR;
  const profile = profileDir
    ? [
        "--cpu-prof",
        "--cpu-prof-md",
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${spec.name}.cpuprofile`,
      ]
    : [];
  const proc = Bun.spawn(["bun", ...profile, "src/main.ts"], {
    cwd: join(ROOT, spec.name),
    env: {
      BUN_JSC_forceRAMSize: SERVICE_RAM_BYTES,
      ...process.env,
      HOST: "127.0.0.1",
      ...spec.env,
      PORT: String(spec.port),
    },
    stdin: "ignore",
    detached: spec.detached ?? false,
    stdout: spec.logFile ? Bun.file(spec.logFile) : "pipe",
    stderr: spec.logFile ? Bun.file(`${spec.logFile}.err`) : "pipe",
  });
  const log = spec.log ?? (() => {});
  if (proc.stdout instanceof ReadableStream) void pipeLines(proc.stdout, log);
  if (proc.stderr instanceof ReadableStream) void pipeLines(proc.stderr, log);
  const exited = proc.exited;
  return {
    name: spec.name,
    url: `http://127.0.0.1:${spec.port}`,
    proc,
    exited,
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill9() {
      proc.kill("SIGKILL");
      return exited;
    },
  };
}

async function pipeLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  }
  if (buffered) onLine(buffered);
}

/**
 * Polls `url` until it answers 200 or `deadlineMs` passes. Fails early when the process exits,
 * so a service that cannot start is reported at once, not after the deadline.
 */
export async function waitReady(service: ServiceProcess, path = "/readyz", deadlineMs = 30_000) {
  const end = Date.now() + deadlineMs;
  let last = "no answer";
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  while (Date.now() < end) {
    if (exited) throw new Error(`${service.name} exited with code ${service.proc.exitCode}`);
    try {
      const response = await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = await describeProblem(response);
    } catch (error) {
      last = String(error);
    }
    await Bun.sleep(100);
  }
  throw new Error(
    `${service.name} not ready at ${service.url}${path} after ${deadlineMs} ms: ${last}`,
  );
}

/** True when nothing listens on 127.0.0.1:`port`. */
export function portIsFree(port: number): boolean {
  try {
    const server = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    server.stop(true);
    return true;
  } catch {
    return false;
  }
}

const handedOut = new Set<number>();

/**
 * A free port on 127.0.0.1, never handed out twice by this process. Drawn from 20000–32767:
 * away from the services' defaults and below Linux's ephemeral range (32768+), where an
 * outgoing connection could take the port between this check and the service's bind.
 */
export function freePort(): number {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (!handedOut.has(port) && portIsFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port found");
}

/** A value of a service's Prometheus text: the sum of every series of `name` matching `labels`. */
export async function metric(
  service: { url: string },
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  // Bounded: a poll that hangs would hold the wait that called it past its own deadline.
  const text = await (
    await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(10_000) })
  ).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      continue;
    }
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}
