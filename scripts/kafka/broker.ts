import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { probeBrokers } from "../../kafka-kit/src/probe.ts";
import {
  type BrokerLayout,
  type BrokerPaths,
  brokerPaths,
  DEFAULT_LAYOUT,
  HOST,
  jvmArgs,
  newClusterId,
  serverProperties,
} from "./config.ts";
import { ensureJars, findJava } from "./jars.ts";
import { isRunning, readPid, waitForExit, withLock } from "./process.ts";
import { ensureBrokerTls } from "./tls.ts";

/** Identifies our broker in `ps` output, so a stale pid file never leads to killing another process. */
const MARKER = "kafka.Kafka";

/** Options of startBroker, stopBroker and brokerStatus. */
export interface BrokerOptions {
  /** KRaft data, config, pid file and log; default KAFKA_DATA_DIR or .cache/kafka/data. */
  dataDir?: string;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
  /** How long to wait for the broker to answer (start) or exit (stop). */
  timeoutMs?: number;
  /** Another broker beside the shared one: its own ports (give it its own dataDir too). */
  ports?: { broker: number; controller: number };
  /**
   * A SASL_SSL listener on `port` besides PLAINTEXT: a CA and a broker certificate made with
   * openssl into `<dataDir>/tls` (clients trust `<dataDir>/tls/ca.pem`), and the user for PLAIN
   * and both SCRAM mechanisms (SCRAM credentials are written when the storage is formatted).
   */
  saslSsl?: { port: number; username: string; password: string };
}

/** The plaintext address of the broker these options describe. */
function addressOf(options: BrokerOptions): string {
  return `${HOST}:${options.ports?.broker ?? DEFAULT_LAYOUT.brokerPort}`;
}

/** Ports and listeners of the broker these options describe, making its TLS files if asked. */
async function layoutOf(options: BrokerOptions, paths: BrokerPaths): Promise<BrokerLayout> {
  const layout: BrokerLayout = {
    brokerPort: options.ports?.broker ?? DEFAULT_LAYOUT.brokerPort,
    controllerPort: options.ports?.controller ?? DEFAULT_LAYOUT.controllerPort,
  };
  if (!options.saslSsl) return layout;
  const tls = await ensureBrokerTls(join(paths.dataDir, "tls"));
  return { ...layout, saslSsl: { ...options.saslSsl, keystore: tls.keystore } };
}

/** What is listening on the local broker address, and whether this script started it. */
export interface BrokerStatus {
  running: boolean;
  brokers: string[];
  /** Pid of the broker this script started (from the pid file), if it is alive. */
  pid: number | null;
  clusterId: string | null;
  dataDir: string;
  logFile: string;
}

/** What startBroker did: `started` is false when a broker already answered. */
export type StartResult = BrokerStatus & { started: boolean; ms: number };

/** Starts the local broker, or reuses the one already answering. */
export async function startBroker(options: BrokerOptions = {}): Promise<StartResult> {
  const paths = brokerPaths(options.dataDir);
  const log = options.log ?? (() => {});
  const started = performance.now();
  mkdirSync(paths.dataDir, { recursive: true });
  // Covers a first-time jar download on a slow link as well as a slow JVM start.
  const timeoutMs = options.timeoutMs ?? 180_000;
  return withLock(paths.lockFile, timeoutMs, async () => {
    const status = await brokerStatus(options);
    if (status.running) {
      const owner = status.pid ? `pid ${status.pid}` : "not started by scripts/kafka.ts";
      log(`Kafka is already running at ${addressOf(options)} (${owner}); reusing it.`);
      return { ...status, started: false, ms: performance.now() - started };
    }
    if (status.pid) {
      // Alive but silent: a start that is still under way, or a hung broker.
      log(`Waiting for the broker (pid ${status.pid}) to answer ...`);
      await waitUntilReady(paths, addressOf(options), status.pid, timeoutMs);
      return { ...(await brokerStatus(options)), started: false, ms: performance.now() - started };
    }
    const classpath = await ensureJars(paths, log);
    const java = findJava();
    const archive = existsSync(paths.classArchive);
    const layout = await layoutOf(options, paths);
    if (!existsSync(join(paths.logDirs, "meta.properties"))) {
      formatStorage(java, classpath, paths, layout, log);
    }
    writeFileSync(paths.serverProperties, serverProperties(paths, layout));
    const out = openSync(paths.logFile, "w");
    const child = spawn(
      java,
      [...jvmArgs(paths, archive), "-cp", classpath, "kafka.Kafka", paths.serverProperties],
      // Detached: the broker outlives `bun run kafka:start` and the test run that started it.
      { detached: true, stdio: ["ignore", out, out] },
    );
    child.unref();
    closeSync(out);
    if (child.pid === undefined) throw new Error(`could not start ${java}`);
    writeFileSync(paths.pidFile, String(child.pid));
    log(`Starting Kafka (pid ${child.pid}), log: ${paths.logFile}`);
    await waitUntilReady(paths, addressOf(options), child.pid, timeoutMs);
    return { ...(await brokerStatus(options)), started: true, ms: performance.now() - started };
  });
}

/** Stops the broker this script started (pid file) and waits for it to exit. */
export async function stopBroker(options: BrokerOptions = {}): Promise<{ stopped: boolean }> {
  const paths = brokerPaths(options.dataDir);
  const log = options.log ?? (() => {});
  const pid = readPid(paths.pidFile);
  if (pid === null || !isRunning(pid, MARKER)) {
    rmSync(paths.pidFile, { force: true });
    const probe = await probeBrokers([addressOf(options)], 1000);
    log(
      probe.ok
        ? `A broker answers at ${addressOf(options)}, but scripts/kafka.ts did not start it; leaving it alone.`
        : "Kafka is not running.",
    );
    return { stopped: false };
  }
  const started = performance.now();
  process.kill(pid, "SIGTERM");
  if (!(await waitForExit(pid, MARKER, options.timeoutMs ?? 60_000))) {
    log(`Broker pid ${pid} ignored SIGTERM; killing it.`);
    process.kill(pid, "SIGKILL");
    await waitForExit(pid, MARKER, 10_000);
  } else if (existsSync(`${paths.classArchive}.tmp`)) {
    // The JVM writes the class-data archive as it exits cleanly; only then is it whole.
    renameSync(`${paths.classArchive}.tmp`, paths.classArchive);
  }
  rmSync(paths.pidFile, { force: true });
  log(`Kafka stopped (pid ${pid}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return { stopped: true };
}

/** Whether a broker answers at the local address, and the pid if this script started it. */
export async function brokerStatus(options: BrokerOptions = {}): Promise<BrokerStatus> {
  const paths = brokerPaths(options.dataDir);
  const pid = readPid(paths.pidFile);
  const alive = pid !== null && isRunning(pid, MARKER);
  const probe = await probeBrokers([addressOf(options)], 1000);
  return {
    running: probe.ok,
    brokers: [addressOf(options)],
    pid: alive ? pid : null,
    clusterId: probe.ok ? probe.clusterId : null,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
  };
}

function formatStorage(
  java: string,
  classpath: string,
  paths: BrokerPaths,
  layout: BrokerLayout,
  log: (l: string) => void,
) {
  log(`Formatting KRaft storage in ${paths.logDirs}`);
  writeFileSync(paths.serverProperties, serverProperties(paths, layout));
  const sasl = layout.saslSsl;
  const scram = sasl
    ? ["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((mechanism) => [
        "--add-scram",
        `${mechanism}=[name=${sasl.username},password=${sasl.password}]`,
      ])
    : [];
  const format = Bun.spawnSync(
    [
      java,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-cp",
      classpath,
      "kafka.tools.StorageTool",
    ].concat(["format", "-t", newClusterId(), "-c", paths.serverProperties, ...scram]),
    { stdout: "pipe", stderr: "pipe" },
  );
  if (format.exitCode !== 0) {
    throw new Error(`formatting ${paths.logDirs} failed:\n${format.stderr}${format.stdout}`);
  }
}

async function waitUntilReady(paths: BrokerPaths, address: string, pid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await probeBrokers([address], 1000)).ok) return;
    if (!isRunning(pid, MARKER)) {
      rmSync(paths.pidFile, { force: true });
      throw new Error(
        `Kafka exited during start; last lines of ${paths.logFile}:\n${logTail(paths)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka (pid ${pid}) did not answer within ${timeoutMs} ms; see ${paths.logFile}`,
      );
    }
    await Bun.sleep(150);
  }
}

function logTail(paths: BrokerPaths): string {
  if (!existsSync(paths.logFile)) return "(no log)";
  return readFileSync(paths.logFile, "utf8").trimEnd().split("\n").slice(-20).join("\n");
}
