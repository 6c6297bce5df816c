// README.md's requests work as pasted: `bun scripts/dev.ts` (what `bun run dev` runs) on free
// ports with a fresh DATA_DIR, then README's "Try it" block and docs/http-api.md's examples run
// with bash,
// every curl answering 2xx. The banner dev printed is the one README shows.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "../../scripts/lib/service-process.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const HTTP_API = readFileSync(join(ROOT, "docs", "http-api.md"), "utf8");

/** The lines of README's `bun run dev` transcript, from its "$ bun install" line. */
function transcript(): string[] {
  const start = README.indexOf("$ bun install --frozen-lockfile && bun scripts/dev.ts");
  const end = README.indexOf("```", start);
  if (start < 0 || end < 0) throw new Error("README.md has no `bun run dev` transcript");
  return README.slice(start, end).split("\n");
}

/** The transcript's "Try it:" requests, as a shell script. */
function tryItBlock(): string {
  const lines = transcript();
  const from = lines.indexOf("Try it:") + 1;
  const to = lines.indexOf("", from);
  if (from === 0 || to < 0) throw new Error("README.md's transcript has no Try it block");
  return lines.slice(from, to).join("\n");
}

/** The first ```sh block of docs/http-api.md's "## HTTP API" section. */
function httpApiBlock(): string {
  const section = HTTP_API.indexOf("\n## HTTP API");
  const start = HTTP_API.indexOf("```sh\n", section);
  const end = HTTP_API.indexOf("```", start + 5);
  if (section < 0 || start < 0) throw new Error("docs/http-api.md has no HTTP API examples");
  return HTTP_API.slice(start + 6, end);
}

/** README's addresses are the default ports, this run's are free ones; `back` undoes it. */
function onPorts(text: string, users: string, gateway: string, back = false): string {
  const pairs: [string, string][] = [
    ["http://127.0.0.1:3000", users],
    ["http://127.0.0.1:3001", gateway],
    ["http://127.0.0.1:3002", tasks],
  ];
  let out = text;
  for (const [readme, run] of pairs)
    out = back ? out.replaceAll(run, readme) : out.replaceAll(readme, run);
  return out;
}

/** Each curl writes `status <code> <method> <url>` to stderr, for the test to check. */
const PRELUDE = `set -eo pipefail
curl() { command curl -w '%{stderr}status %{http_code} %{method} %{url_effective}\\n' "$@"; }
`;

const folder = mkdtempSync(join(tmpdir(), "readme-"));
const dataDir = join(folder, ".data");
const userPort = freePort();
const gatewayPort = freePort();
const taskPort = freePort();
const users = `http://127.0.0.1:${userPort}`;
const tasks = `http://127.0.0.1:${taskPort}`;
const gateway = `http://127.0.0.1:${gatewayPort}`;
const printed: string[] = [];
let dev: ReturnType<typeof Bun.spawn> | undefined;

/** Runs `script` with bash in `folder` (where `.data` is this run's DATA_DIR). */
async function runBash(script: string) {
  const proc = Bun.spawn(["bash", "-c", PRELUDE + script], {
    cwd: folder,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const statuses = err.split("\n").filter((line) => line.startsWith("status "));
  return { out, err, code, statuses };
}

/**
 * Starts dev and reads its output up to the banner's end. Called while the file loads, not in
 * beforeAll: when any test of the file times out, Bun 1.4.5 SIGTERMs every process the file's
 * hooks and tests spawned (oven-sh/bun#39657), and dev would be gone for the tests after it.
 */
async function startDev() {
  dev = Bun.spawn(["bun", "scripts/dev.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      USER_SERVICE_PORT: String(userPort),
      AI_GATEWAY_PORT: String(gatewayPort),
      TASK_SERVICE_PORT: String(taskPort),
      DATA_DIR: dataDir,
      INGEST_TOKEN: "",
      LOG_LEVEL: "info",
    },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + 60_000;
  const reader = (dev.stdout as ReadableStream<Uint8Array>).getReader();
  while (!buffered.includes("Ctrl-C stops them all")) {
    if (Date.now() > deadline) {
      dev.kill("SIGTERM");
      throw new Error(`dev printed no banner:\n${buffered}`);
    }
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(dev.stderr as ReadableStream).text();
      throw new Error(`dev exited:\n${buffered}\n${err}`);
    }
    buffered += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  printed.push(...buffered.split("\n"));
}
await startDev();

describe("README.md against `bun run dev`", () => {
  afterAll(async () => {
    dev?.kill("SIGTERM");
    await dev?.exited;
    rmSync(folder, { recursive: true, force: true });
  });

  test("the banner shows the three URLs, their reference pages and the ingest token", () => {
    const token = readFileSync(join(dataDir, "ingest-token"), "utf8").trim();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const text = printed.join("\n");
    for (const url of [users, tasks, gateway]) {
      expect(text).toContain(`${url}    docs ${url}/docs    events ${url}/asyncapi`);
    }
    expect(text).toContain(`INGEST_TOKEN  ${token}`);
    expect(text).toContain(`POST ${gateway}/events needs it; also in ${dataDir}/ingest-token`);
  });

  test("README's transcript shows the banner dev prints, and log lines dev prints", () => {
    const fromLine = (lines: string[]) =>
      lines.slice(lines.findIndex((line) => line.startsWith("Event Mesh is running")));
    const shown = transcript();
    const readmeDir = /data in (\S+)$/m.exec(shown.join("\n"))?.[1] ?? "?";
    // README shows a run on the default ports from a checkout: its data dir and token differ.
    const normal = (lines: string[], dir: string, urls = { users: "", gateway: "" }) => {
      const out = lines.map((line) =>
        (urls.users ? onPorts(line, urls.users, urls.gateway, true) : line)
          .replaceAll(dir, "<data>")
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, "<token>"),
      );
      while (out.at(-1) === "") out.pop();
      return out;
    };
    expect(normal(fromLine(shown), readmeDir)).toEqual(
      normal(fromLine(printed), dataDir, { users, gateway }),
    );
    // The info lines README shows (service and message) are those dev printed. Warnings vary
    // from run to run: user-service may probe the gateway before it is ready.
    const said = (lines: string[]) =>
      lines.flatMap((line) => {
        const match = /^(user-service|task-service|ai-gateway) +\| (\{.*\})$/.exec(line);
        if (!match?.[2]) return [];
        const { level, msg } = JSON.parse(match[2]) as { level: string; msg: string };
        return level === "info" ? [`${match[1]} ${msg}`] : [];
      });
    expect(said(shown).sort()).toEqual(said(printed).sort());
  });

  test("every request of README's Try it block answers 2xx", async () => {
    const script = onPorts(tryItBlock(), users, gateway);
    const run = await runBash(script);
    expect(run.code, run.err).toBe(0);
    expect(run.statuses).toHaveLength(script.match(/\bcurl -/g)?.length ?? 0);
    for (const status of run.statuses) expect(status).toMatch(/^status 2\d\d /);
  }, 60_000);

  test("every request of README's HTTP API examples answers 2xx", async () => {
    const script = onPorts(httpApiBlock(), users, gateway);
    const run = await runBash(script);
    expect(run.code, `${run.err}\n${run.out.slice(0, 2_000)}`).toBe(0);
    const requests = script.match(/\bcurl -/g)?.length ?? 0;
    expect(requests).toBeGreaterThan(15);
    expect(run.statuses, run.err).toHaveLength(requests);
    for (const status of run.statuses) expect(status, run.err).toMatch(/^status 2\d\d /);
    // The ingest example stored its event: the gateway's answer is in the output.
    expect(run.out).toContain('{"accepted":1,"stored":1,');
    // Explicit: in a run of many files the preload's default timeout did not apply (5 s).
  }, 60_000);
});
