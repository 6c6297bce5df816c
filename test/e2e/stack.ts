/**
 * End-to-end wiring: both services as real processes (scripts/lib/service-process.ts, as
 * `bun run dev` starts them), each with its own free port, temp DATA_DIR and, on Kafka, a random
 * TOPIC_PREFIX and KAFKA_GROUP_ID. Everything a test starts is stopped by `stopAll` (call it in
 * afterEach). Set E2E_LOGS=1 to see the services' log lines.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  type ServiceProcess,
  startService,
  waitReady,
} from "../../scripts/lib/service-process.ts";

export { freePort, metric } from "../../scripts/lib/service-process.ts";

import { eventually } from "../../service-kit/src/poll.ts";
import { randomTopic } from "../kafka-broker.ts";
import { userPoints } from "./api.ts";

export { eventually };

/** A running service with the log lines it wrote (kept for assertions and failure messages). */
export interface Running extends ServiceProcess {
  lines: string[];
  port: number;
}

const started: Running[] = [];
const folders: string[] = [];

/** A fresh temp folder, removed by `stopAll`. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `e2e-${label}-`));
  folders.push(dir);
  return dir;
}

/** Spawns one service and waits until `/readyz` answers 200. */
export async function spawn(
  name: "user-service" | "task-service" | "ai-gateway",
  env: Record<string, string>,
  port = freePort(),
  readyPath = "/readyz",
): Promise<Running> {
  const lines: string[] = [];
  const service = startService({
    name,
    port,
    env: { LOG_LEVEL: "info", AUTH_MODE: "dev", NODE_ENV: "test", ...env },
    log: (line) => {
      lines.push(line);
      if (lines.length > 2_000) lines.splice(0, 1_000);
      if (process.env.E2E_LOGS === "1") console.log(`${name.padEnd(12)} | ${line}`);
    },
  });
  const running: Running = Object.assign(service, { lines, port });
  started.push(running);
  try {
    await waitReady(running, readyPath, 60_000);
  } catch (error) {
    throw new Error(`${String(error)}\n${lines.slice(-20).join("\n")}`);
  }
  return running;
}

/** Stops every process the test started (SIGTERM, then SIGKILL) and removes its folders. */
export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((service) => service.stop(10_000)));
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** What one stack shares between its processes. */
export interface StackConfig {
  /** Kafka brokers; absent → embedded (HTTP delivery with an ingest token). */
  brokers?: string[];
  /** Gateway folder (sqlite-vec file); shared by gateways that should share one store. */
  gatewayDir: string;
  userDir: string;
  taskDir: string;
  topicPrefix: string;
  groupId: string;
  ingestToken: string;
  gatewayPort: number;
  userPort: number;
  taskPort: number;
}

/** A new stack configuration: fresh folders, ports and names. */
export function stackConfig(brokers?: string[]): StackConfig {
  return {
    ...(brokers ? { brokers } : {}),
    gatewayDir: tempDir("gateway"),
    userDir: tempDir("user-service"),
    taskDir: tempDir("task-service"),
    topicPrefix: `${randomTopic("e2e")}.`,
    groupId: randomTopic("e2e-gateway"),
    ingestToken: crypto.randomUUID(),
    gatewayPort: freePort(),
    userPort: freePort(),
    taskPort: freePort(),
  };
}

/** Starts an ai-gateway of the stack; `extra` overrides any variable. */
export function startGateway(
  config: StackConfig,
  extra: Record<string, string> = {},
  port = config.gatewayPort,
): Promise<Running> {
  return spawn(
    "ai-gateway",
    {
      DATA_DIR: config.gatewayDir,
      INGEST_TOKEN: config.ingestToken,
      ...(config.brokers
        ? {
            KAFKA_BROKERS: config.brokers.join(","),
            TOPIC_PREFIX: config.topicPrefix,
            KAFKA_GROUP_ID: config.groupId,
          }
        : {}),
      ...extra,
    },
    port,
  );
}

/** Starts the user-service of the stack; `extra` overrides any variable. */
export function startUserService(
  config: StackConfig,
  extra: Record<string, string> = {},
  readyPath = "/readyz",
): Promise<Running> {
  return startProducer(config, "user-service", extra, readyPath);
}

/** Starts the task-service of the stack; `extra` overrides any variable. */
export function startTaskService(
  config: StackConfig,
  extra: Record<string, string> = {},
  readyPath = "/readyz",
): Promise<Running> {
  return startProducer(config, "task-service", extra, readyPath);
}

/** A producer of the stack, sending to its broker or, embedded, to its gateway. */
export function startProducer(
  config: StackConfig,
  name: "user-service" | "task-service",
  extra: Record<string, string> = {},
  readyPath = "/readyz",
): Promise<Running> {
  const own = name === "user-service" ? config.userDir : config.taskDir;
  return spawn(
    name,
    {
      DATA_DIR: own,
      ...(config.brokers
        ? { KAFKA_BROKERS: config.brokers.join(","), TOPIC_PREFIX: config.topicPrefix }
        : {
            INGEST_TOKEN: config.ingestToken,
            GATEWAY_URL: `http://127.0.0.1:${config.gatewayPort}`,
          }),
      ...extra,
    },
    name === "user-service" ? config.userPort : config.taskPort,
    readyPath,
  );
}

/** The services of a new stack, gateway first. */
export async function startStack(brokers?: string[]) {
  const config = stackConfig(brokers);
  const gateway = await startGateway(config);
  const users = await startUserService(config);
  return { config, gateway, users };
}

/** A new stack with all three services; task-service checks assignees against user-service. */
export async function startFullStack(brokers?: string[]) {
  const { config, gateway, users } = await startStack(brokers);
  const tasks = await startTaskService(config, { USER_SERVICE_URL: users.url });
  return { config, gateway, users, tasks };
}

/**
 * Polls the gateway's `GET /stats` until the tenant holds at least `expected` user points and
 * returns the count then, so the caller can assert it is exactly `expected` (none doubled).
 */
export function pointsReaching(
  gatewayUrl: string,
  tenant: string,
  expected: number,
  deadlineMs: number,
  explain: () => string,
  collection: "users" | "tasks" = "users",
): Promise<number> {
  return eventually(
    `${expected} points for ${tenant}`,
    async () => {
      const count = await userPoints(gatewayUrl, tenant, collection);
      return count >= expected ? count : undefined;
    },
    deadlineMs,
    explain,
  );
}

/** The last log lines of some services, for failure messages. */
export function tail(services: Running[], count = 15): string {
  return services
    .map(
      (service) =>
        `\n--- ${service.name} :${service.port}\n${service.lines.slice(-count).join("\n")}`,
    )
    .join("");
}
