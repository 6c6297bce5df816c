import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";

/** Pinned broker version; @platformatic/kafka 2.x supports Apache Kafka 3.5.0 to 4.2.0. */
export const KAFKA_VERSION = "4.1.2";
export const HOST = "127.0.0.1";
export const BROKER_PORT = 19092;
export const CONTROLLER_PORT = 19093;
export const BROKER_ADDRESS = `${HOST}:${BROKER_PORT}`;

const ROOT = resolve(import.meta.dir, "../..");

/** Where every file of the local broker lives; `.cache/` is git-ignored. */
export interface BrokerPaths {
  /** The Maven project that lists the broker jars. */
  pom: string;
  log4jConfig: string;
  /** Maven's local repository, kept apart from ~/.m2 so a cold cache is one folder to delete. */
  mavenRepo: string;
  /** The broker jars of KAFKA_VERSION; `complete` marks a finished download. */
  libs: string;
  complete: string;
  /** JVM class-data archive written at the first clean stop; halves later start times. */
  classArchive: string;
  /** State of one broker: its KRaft log dirs, generated config, pid file and log. */
  dataDir: string;
  logDirs: string;
  serverProperties: string;
  pidFile: string;
  lockFile: string;
  logFile: string;
  /** Present while the broker was started by a test run, which may stop it at the end. */
  testOwned: string;
  /** One file per test run using the broker (named by its pid), so none stops it under another. */
  leases: string;
}

/** Paths from KAFKA_CACHE_DIR (default .cache/kafka) and KAFKA_DATA_DIR (default <cache>/data). */
export function brokerPaths(dataDir = process.env.KAFKA_DATA_DIR): BrokerPaths {
  const cache = resolve(process.env.KAFKA_CACHE_DIR || join(ROOT, ".cache", "kafka"));
  const versionDir = join(cache, KAFKA_VERSION);
  const data = resolve(dataDir ?? join(cache, "data"));
  return {
    pom: join(ROOT, "scripts", "kafka", "pom.xml"),
    log4jConfig: join(ROOT, "scripts", "kafka", "log4j2.properties"),
    mavenRepo: join(cache, "m2"),
    libs: join(versionDir, "libs"),
    complete: join(versionDir, "libs.complete"),
    classArchive: join(versionDir, "classes.jsa"),
    dataDir: data,
    logDirs: join(data, "kraft"),
    serverProperties: join(data, "server.properties"),
    pidFile: join(data, "broker.pid"),
    lockFile: join(data, "start.lock"),
    logFile: join(data, "broker.log"),
    testOwned: join(data, "test-owned"),
    leases: join(data, "leases"),
  };
}

/**
 * Ports of one local broker, and its optional SASL_SSL listener (what a managed cluster offers:
 * TLS, and SASL PLAIN or SCRAM with one user). The default is the shared test broker.
 */
export interface BrokerLayout {
  brokerPort: number;
  controllerPort: number;
  saslSsl?: {
    port: number;
    username: string;
    password: string;
    /** Broker key and certificate, one PEM file (tls.ts). */
    keystore: string;
  };
}

export const DEFAULT_LAYOUT: BrokerLayout = {
  brokerPort: BROKER_PORT,
  controllerPort: CONTROLLER_PORT,
};

/** The SASL_SSL settings: the listener's PEM key store and a JAAS login per mechanism. */
function saslSslSettings(sasl: NonNullable<BrokerLayout["saslSsl"]>) {
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  // JAAS quoting: the test password holds no quote or backslash.
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${sasl.username}="${sasl.password}";`;
  return {
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_ssl.plain.sasl.jaas.config": plain,
    "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": scram,
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
    "listener.name.sasl_ssl.ssl.keystore.type": "PEM",
    "listener.name.sasl_ssl.ssl.keystore.location": sasl.keystore,
  };
}

/** One combined broker and controller (KRaft), tuned for tests: one replica, no waiting. */
export function serverProperties(
  paths: BrokerPaths,
  layout: BrokerLayout = DEFAULT_LAYOUT,
): string {
  const plain = `${HOST}:${layout.brokerPort}`;
  const controller = `CONTROLLER://${HOST}:${layout.controllerPort}`;
  const sasl = layout.saslSsl;
  const saslListener = sasl ? `,SASL_SSL://${HOST}:${sasl.port}` : "";
  const settings: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@${HOST}:${layout.controllerPort}`,
    listeners: `PLAINTEXT://${plain}${saslListener},${controller}`,
    "advertised.listeners": `PLAINTEXT://${plain}${saslListener}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": `CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${sasl ? ",SASL_SSL:SASL_SSL" : ""}`,
    ...(sasl ? saslSslSettings(sasl) : {}),
    "log.dirs": paths.logDirs,
    "num.partitions": 3,
    "auto.create.topics.enable": true,
    "offsets.topic.replication.factor": 1,
    // 50 partitions by default: creating them delays the first consumer group by seconds.
    "offsets.topic.num.partitions": 5,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 5,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    // Tests join groups one consumer at a time; the default 3 s delay only slows them down.
    "group.initial.rebalance.delay.ms": 0,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return `# Generated by scripts/kafka.ts at each start; edit config.ts instead.\n${lines.join("\n")}\n`;
}

/**
 * JVM flags for a fast start on 2 cores: serial GC and the C1 compiler only cut start time by
 * about 15 %, a class-data archive by about half. KAFKA_JVM_OPTS replaces the tuning flags
 * (e.g. for benchmarks, where C2 matters).
 */
export function jvmArgs(paths: BrokerPaths, archiveExists: boolean): string[] {
  const tuning = process.env.KAFKA_JVM_OPTS?.split(/\s+/).filter(Boolean) ?? [
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
  ];
  const archive = archiveExists
    ? [`-XX:SharedArchiveFile=${paths.classArchive}`]
    : [`-XX:ArchiveClassesAtExit=${paths.classArchive}.tmp`];
  return [
    // 1 GiB: a full test run creates thousands of partitions (random topics per test).
    "-Xmx1g",
    "-Xms128m",
    ...tuning,
    ...archive,
    // The archive is best effort: a mismatch (new JDK, new jars) must not flood the log.
    "-Xlog:cds=off",
    "-Xlog:cds+dynamic=off",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
  ];
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, not starting with "-". */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
