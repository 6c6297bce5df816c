import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerPaths } from "./config.ts";
import { ensureJars } from "./jars.ts";
import { downloadProgress, parseDownloaded } from "./maven-progress.ts";

// Lines as Maven 3.8 prints them in batch mode (-B), colour codes removed.
const MAVEN_LINES = [
  "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/4.1.2/kafka_2.13-4.1.2.pom",
  "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/4.1.2/kafka_2.13-4.1.2.pom (3.9 kB at 35 kB/s)",
  "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/4.1.2/kafka_2.13-4.1.2.jar (6.4 MB at 12 MB/s)",
  "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar (41 kB at 2.7 MB/s)",
  "[INFO] Copying slf4j-api-1.7.36.jar to /tmp/libs/slf4j-api-1.7.36.jar",
];

test("reads the file and its size from Maven's Downloaded lines only", () => {
  expect(MAVEN_LINES.map(parseDownloaded)).toEqual([
    null,
    { file: "kafka_2.13-4.1.2.pom", bytes: 3_900 },
    { file: "kafka_2.13-4.1.2.jar", bytes: 6_400_000 },
    { file: "slf4j-api-1.7.36.jar", bytes: 41_000 },
    null,
  ]);
});

test("logs one line per finished jar with the running total of all downloads", () => {
  const lines: string[] = [];
  const progress = downloadProgress((line) => lines.push(line));
  for (const line of MAVEN_LINES) progress.line(line);
  expect(lines).toEqual([
    "  kafka_2.13-4.1.2.jar (6.4 MB), 6.4 MB so far",
    "  slf4j-api-1.7.36.jar (41 kB), 6.4 MB so far",
  ]);
  expect(progress.total()).toEqual({ bytes: 6_444_900, jars: 2 });
});

// The real download, through Maven Central, of a one-jar project into an empty local
// repository (so Maven also fetches its plugin): about 5 s and 3 MB.
const folder = mkdtempSync(join(tmpdir(), "kafka-jars-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const haveMaven = Bun.which("mvn") !== null && Bun.which("java") !== null;
if (!haveMaven) console.warn("[kafka] jar download progress test skipped: no mvn or java");

test.skipIf(!haveMaven)(
  "a first download shows a line per jar and the megabytes it fetched",
  async () => {
    const pom = join(folder, "pom.xml");
    writeFileSync(
      pom,
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>test</groupId><artifactId>jars</artifactId><version>0</version><packaging>pom</packaging>
<dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>
<version>1.7.36</version></dependency></dependencies></project>`,
    );
    const paths = {
      ...brokerPaths(join(folder, "data")),
      pom,
      mavenRepo: join(folder, "m2"),
      libs: join(folder, "libs"),
      complete: join(folder, "libs.complete"),
    };
    const lines: string[] = [];
    const classpath = await ensureJars(paths, (line) => lines.push(line));
    expect(classpath).toEndWith("slf4j-api-1.7.36.jar");
    expect(existsSync(paths.complete)).toBe(true);
    expect(lines[0]).toStartWith("Downloading the Kafka jars with Maven");
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}slf4j-api-1\.7\.36\.jar \(41 kB\), \d+\.\d MB so far$/),
    );
    expect(lines.at(-1)).toMatch(/^Jars ready in \d+\.\d s \(\d+\.\d MB downloaded\)\.$/);
    // Later runs find the jars and print nothing.
    const again: string[] = [];
    await ensureJars(paths, (line) => again.push(line));
    expect(again).toEqual([]);
  },
  120_000,
);
