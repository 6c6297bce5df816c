// `bun run dev`: the three services on one machine, embedded defaults (SQLite, sqlite-vec, HTTP
// delivery), or on Kafka/Qdrant when KAFKA_BROKERS/QDRANT_URL are set. `--kafka` starts the
// local broker first (`bun run dev:kafka`); `--pg` starts the local Postgres and keeps the users,
// the tasks and their outboxes there (`bun run dev:pg`), each producer in its own database.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readConfig as readGatewayConfig } from "../ai-gateway/src/config.ts";
import { prepareDataDir } from "../service-kit/src/data-dir.ts";
import { ConfigError, describeError, StartError } from "../service-kit/src/errors.ts";
import { kafkaSecurity } from "../service-kit/src/kafka-config.ts";
import { readConfig as readTaskServiceConfig } from "../task-service/src/config.ts";
import { readConfig as readUserServiceConfig } from "../user-service/src/config.ts";
import { banner } from "./lib/banner.ts";
import { checkDependencies } from "./lib/dev-dependencies.ts";
import {
  portIsFree,
  ROOT,
  type ServiceProcess,
  startService,
  waitReady,
} from "./lib/service-process.ts";

const colors = {
  "user-service": "\x1b[36m",
  "task-service": "\x1b[33m",
  "ai-gateway": "\x1b[35m",
} as const;
const reset = "\x1b[0m";
const tty = process.stdout.isTTY;

function fatal(line: string): never {
  console.error(`dev: ${line}`);
  process.exit(1);
}

function prefixed(name: keyof typeof colors) {
  const label = tty ? `${colors[name]}${name.padEnd(12)}${reset}` : name.padEnd(12);
  return (line: string) => console.log(`${label} | ${line}`);
}

function portFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fatal(`${variable}="${raw}" is not a port (1–65535)`);
  }
  return port;
}

const userPort = portFrom("USER_SERVICE_PORT", 3000);
const gatewayPort = portFrom("AI_GATEWAY_PORT", 3001);
const taskPort = portFrom("TASK_SERVICE_PORT", 3002);
for (const [variable, port] of [
  ["USER_SERVICE_PORT", userPort],
  ["AI_GATEWAY_PORT", gatewayPort],
  ["TASK_SERVICE_PORT", taskPort],
] as const) {
  if (!portIsFree(port))
    fatal(`port ${port} is already in use; stop what runs there or set ${variable}`);
}

let dataDir = resolve(ROOT, process.env.DATA_DIR || ".data");
try {
  dataDir = prepareDataDir(dataDir);
} catch (error) {
  fatal(error instanceof StartError ? error.message : String(error));
}

// Embedded mode delivers events over HTTP; the producers and the gateway share a token made for this run.
const ingestToken = process.env.INGEST_TOKEN || crypto.randomUUID();
// The banner shows it; the file is for scripts and for docs/http-api.md's examples
// (`$(cat .data/ingest-token)`). Only the owner may read it.
const tokenFile = join(dataDir, "ingest-token");
writeFileSync(tokenFile, `${ingestToken}\n`, { mode: 0o600 });
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
const gatewayEnv = { DATA_DIR: dataDir, INGEST_TOKEN: ingestToken };
const userServiceEnv = { DATA_DIR: dataDir, INGEST_TOKEN: ingestToken, GATEWAY_URL: gatewayUrl };
// task-service checks assignees against user-service's API, with the caller's token.
const taskServiceEnv: Record<string, string> = {
  ...userServiceEnv,
  USER_SERVICE_URL: `http://127.0.0.1:${userPort}`,
};

// Each service would refuse a bad variable too, but with its log prefix and after the other one
// started; checking both here first gives one line per bad variable and starts nothing.
const problems = new Set<string>();
for (const [read, env, port] of [
  [readGatewayConfig, gatewayEnv, gatewayPort],
  [readUserServiceConfig, userServiceEnv, userPort],
  [readTaskServiceConfig, taskServiceEnv, taskPort],
] as const) {
  try {
    read({ ...process.env, HOST: "127.0.0.1", ...env, PORT: String(port) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) problems.add(problem);
  }
}
if (problems.size > 0) {
  for (const problem of problems) console.error(`dev: invalid configuration: ${problem}`);
  process.exit(1);
}

// A dependency that does not answer is one line here, not a service's start-up failure;
// The same SASL/TLS variables the services read (already checked above).
await checkDependencies(
  fatal,
  kafkaSecurity(readUserServiceConfig({ ...process.env, ...userServiceEnv })),
);

if (process.argv.includes("--kafka")) {
  const { brokerPaths, KafkaSetupError, startBroker } = await import("./kafka.ts");
  try {
    const broker = await startBroker({ log: (line) => console.log(`kafka        | ${line}`) });
    // Started for a person, like `bun run kafka:start`: no test run may stop it at its end.
    rmSync(brokerPaths().testOwned, { force: true });
    process.env.KAFKA_BROKERS = broker.brokers.join(",");
  } catch (error) {
    fatal(error instanceof KafkaSetupError ? error.message : String(error));
  }
}
if (process.argv.includes("--pg")) {
  const { pgPaths, PgSetupError, startPg } = await import("./pg.ts");
  try {
    const pg = await startPg({ log: (line) => console.log(`postgres     | ${line}`) });
    // Started for a person, like `bun run pg:start`: no test run may stop it at its end.
    rmSync(pgPaths().testOwned, { force: true });
    process.env.DATABASE_URL = pg.url;
  } catch (error) {
    fatal(error instanceof PgSetupError ? error.message : String(error));
  }
}
if (process.env.DATABASE_URL) {
  const { taskDatabaseUrl } = await import("./lib/task-database.ts");
  try {
    taskServiceEnv.DATABASE_URL =
      process.env.TASK_DATABASE_URL || (await taskDatabaseUrl(process.env.DATABASE_URL));
  } catch (error) {
    fatal(`task-service's database: ${describeError(error)}`);
  }
}
const mode = [
  process.env.DATABASE_URL ? "users and tasks on Postgres" : "users and tasks on SQLite",
  process.env.KAFKA_BROKERS ? `Kafka at ${process.env.KAFKA_BROKERS}` : "HTTP delivery",
  process.env.QDRANT_URL ? `Qdrant at ${process.env.QDRANT_URL}` : "sqlite-vec",
].join(", ");

const services: ServiceProcess[] = [
  startService({
    name: "ai-gateway",
    port: gatewayPort,
    env: gatewayEnv,
    log: prefixed("ai-gateway"),
    detached: true,
  }),
  startService({
    name: "user-service",
    port: userPort,
    env: userServiceEnv,
    log: prefixed("user-service"),
    detached: true,
  }),
  startService({
    name: "task-service",
    port: taskPort,
    env: taskServiceEnv,
    log: prefixed("task-service"),
    detached: true,
  }),
];

let stopping = false;
let stoppingSince = 0;
async function stopAll(code: number): Promise<never> {
  stopping = true;
  stoppingSince = Date.now();
  // The producers first: in embedded mode their last outbox flush goes to the gateway.
  for (const service of [...services].reverse()) await service.stop();
  if (code === 0) {
    const broker = [
      process.argv.includes("--kafka")
        ? "; the Kafka broker keeps running (bun run kafka:stop)"
        : "",
      process.argv.includes("--pg") ? "; Postgres keeps running (bun run pg:stop)" : "",
    ].join("");
    console.log(`dev: all three services stopped; data kept in ${dataDir}${broker}`);
  }
  process.exit(code);
}
// The services run in their own process groups (detached): Ctrl-C reaches only this script,
// which stops each with one SIGTERM so that it drains (flushes the outbox, commits offsets).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    // `bun run dev` passes the terminal's Ctrl-C on too: a copy within a second is the same one.
    if (stopping && Date.now() - stoppingSince < 1_000) return;
    if (stopping) {
      console.log(`dev: second ${signal}, killing the services`);
      for (const service of services) service.proc.kill("SIGKILL");
      process.exit(1);
    }
    console.log(`dev: ${signal}, stopping the services (they finish what they hold) ...`);
    void stopAll(0);
  });
}
for (const service of services) {
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(`dev: ${service.name} exited with code ${code}; stopping the stack`);
    void stopAll(code === 0 ? 1 : code);
  });
}

try {
  await Promise.all(services.map((service) => waitReady(service)));
} catch (error) {
  if (!stopping) {
    console.error(`dev: ${describeError(error)}`);
    await stopAll(1);
  }
  // Already stopping (a service exited, or Ctrl-C): stopAll ends the process; print nothing more.
  await new Promise(() => {});
}

const [gateway, users, tasks] = services as [ServiceProcess, ServiceProcess, ServiceProcess];
console.log(
  banner({
    mode,
    dataDir,
    usersUrl: users.url,
    tasksUrl: tasks.url,
    gatewayUrl: gateway.url,
    ingestToken,
    tokenFile,
  }),
);
