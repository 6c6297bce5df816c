/**
 * Prometheus' own linter for the exposition format (`promtool check metrics`, Debian package
 * `prometheus`). Missing locally, the checks skip with one line; under CI=true they fail, since
 * .ci/run installs it.
 */

import { test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let noted = false;

/**
 * `test` for a check that needs promtool. Without promtool it is reported as skipped, with one
 * line printed once per run; under CI=true it fails instead, since .ci/run installs promtool.
 */
export function promtoolTest(name: string, fn: () => Promise<void>): void {
  if (Bun.which("promtool")) {
    test(name, fn);
    return;
  }
  const reason = "promtool not found (apt-get install prometheus)";
  if (process.env.CI === "true") {
    test(name, () => {
      throw new Error(`CI=true but ${reason}`);
    });
    return;
  }
  if (!noted) console.warn(`[promtool] ${reason}; metrics lint skipped`);
  noted = true;
  test.skip(`${name} (needs promtool)`, fn);
}

/** Runs promtool with `args`; its exit code and its stdout and stderr together. */
async function run(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ exitCode: number; output: string }> {
  const child = Bun.spawn(["promtool", ...args], {
    ...(stdin ? { stdin } : {}),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, output: (stdout + stderr).trim() };
}

/** Runs `promtool check metrics` on an exposition text; its output lists every problem. */
export async function promtool(exposition: string): Promise<{ exitCode: number; output: string }> {
  return run(["check", "metrics"], new TextEncoder().encode(exposition));
}

/**
 * Checks PromQL expressions with `promtool check rules`, each as a recording rule; Grafana's
 * `$__rate_interval` becomes `5m` first. Its output names the expression that does not parse.
 */
export async function promtoolCheckQueries(
  expressions: string[],
): Promise<{ exitCode: number; output: string }> {
  const rules = {
    groups: [
      {
        name: "dashboard",
        rules: expressions.map((expr, i) => ({
          record: `dashboard:query_${i}`,
          expr: expr.replaceAll("$__rate_interval", "5m"),
        })),
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), "promtool-"));
  try {
    const file = join(dir, "rules.json");
    // YAML is a superset of JSON, so promtool reads this file as it is.
    writeFileSync(file, JSON.stringify(rules));
    return await run(["check", "rules", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The metric family names of an exposition text, from its `# TYPE` lines, sorted. */
export function metricNamesOf(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1] ?? "").sort();
}
