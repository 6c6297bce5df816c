import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { BrokerPaths } from "./config.ts";
import { downloadProgress, megabytes } from "./maven-progress.ts";

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
    // Not `-q`: Maven's "Downloaded from" lines are the progress (a line per jar, see
    // maven-progress.ts); the rest of its output is kept for the message if it fails.
    const mvn = Bun.spawn(
      [
        "mvn",
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
    const progress = downloadProgress(log);
    const output: string[] = [];
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 200) output.splice(0, 100);
      progress.line(line);
    };
    const [code] = await Promise.all([
      mvn.exited,
      eachLine(mvn.stdout, onLine),
      eachLine(mvn.stderr, onLine),
    ]);
    if (code !== 0) {
      const detail = output
        .filter((line) => !line.includes("Download"))
        .slice(-15)
        .join("\n");
      throw new KafkaSetupError("download_failed", `Maven failed (exit ${code}):\n${detail}`);
    }
    writeFileSync(paths.complete, `${new Date().toISOString()}\n`);
    const { bytes } = progress.total();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`Jars ready in ${seconds} s (${megabytes(bytes)} downloaded).`);
  }
  // Sorted and explicit (not libs/*) so the class-data archive sees the same classpath each run.
  const jars = readdirSync(paths.libs)
    .filter((name) => name.endsWith(".jar"))
    .sort();
  return jars.map((name) => join(paths.libs, name)).join(delimiter);
}

/** Calls `onLine` for each line of `stream`, without terminal colour codes. */
async function eachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(Bun.stripANSI(line));
  }
  if (buffered) onLine(buffered);
}
