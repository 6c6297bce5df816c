import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { BrokerPaths } from "./config.ts";

/** Why the local broker cannot run here; the message names what to install. */
export class KafkaSetupError extends Error {
  constructor(
    readonly code: "java_missing" | "java_too_old" | "maven_missing" | "download_failed",
    message: string,
  ) {
    super(message);
    this.name = "KafkaSetupError";
  }
}

const INSTALL_JAVA =
  "install a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)";
const INSTALL_MAVEN =
  "install Apache Maven 3.8+ (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)";
const ELSEWHERE = "or point KAFKA_BROKERS at a running Kafka-API broker";

/** The java binary: JAVA_HOME first, like Kafka's own scripts, then PATH. */
export function findJava(): string {
  const fromHome = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : null;
  const java = fromHome && existsSync(fromHome) ? fromHome : Bun.which("java");
  if (!java) {
    throw new KafkaSetupError("java_missing", `Java not found: ${INSTALL_JAVA}, ${ELSEWHERE}.`);
  }
  const probe = Bun.spawnSync([java, "-version"], { stderr: "pipe", stdout: "pipe" });
  const text = `${probe.stderr.toString()}${probe.stdout.toString()}`;
  const major = Number(/version "(?:1\.)?(\d+)/.exec(text)?.[1] ?? 0);
  if (major < 17) {
    throw new KafkaSetupError(
      "java_too_old",
      `Kafka 4 needs Java 17+, found ${JSON.stringify(text.split("\n")[0] ?? "")}: ${INSTALL_JAVA}.`,
    );
  }
  return java;
}

/** Throws a KafkaSetupError when the broker cannot run here (no Java, or no jars and no Maven). */
export function checkPrerequisites(paths: BrokerPaths): void {
  findJava();
  if (!existsSync(paths.complete) && !Bun.which("mvn")) {
    throw new KafkaSetupError(
      "maven_missing",
      `Maven not found; it downloads the Kafka jars once into ${paths.libs}: ${INSTALL_MAVEN}, ${ELSEWHERE}.`,
    );
  }
}

/** Downloads the broker jars once with Maven; later runs reuse the cache. Returns the classpath. */
export async function ensureJars(paths: BrokerPaths, log: (line: string) => void): Promise<string> {
  if (!existsSync(paths.complete)) {
    checkPrerequisites(paths);
    log(`Downloading the Kafka jars with Maven into ${paths.libs} (once) ...`);
    const started = performance.now();
    // A half-copied folder from an interrupted run would give a broken classpath.
    rmSync(paths.libs, { recursive: true, force: true });
    const mvn = Bun.spawn(
      [
        "mvn",
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        paths.pom,
        `-Dmaven.repo.local=${paths.mavenRepo}`,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${paths.libs}`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [code, out, err] = await Promise.all([
      mvn.exited,
      new Response(mvn.stdout).text(),
      new Response(mvn.stderr).text(),
    ]);
    if (code !== 0) {
      const detail = `${out}${err}`.trim().split("\n").slice(-15).join("\n");
      throw new KafkaSetupError("download_failed", `Maven failed (exit ${code}):\n${detail}`);
    }
    writeFileSync(paths.complete, `${new Date().toISOString()}\n`);
    log(`Jars ready in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  }
  // Sorted and explicit (not libs/*) so the class-data archive sees the same classpath each run.
  const jars = readdirSync(paths.libs)
    .filter((name) => name.endsWith(".jar"))
    .sort();
  return jars.map((name) => join(paths.libs, name)).join(delimiter);
}
