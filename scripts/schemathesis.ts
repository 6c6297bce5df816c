// Installs Schemathesis, the OpenAPI contract fuzzer of test/openapi-fuzz.test.ts, into a venv
// under .cache/ from PyPI, pinned. `.ci/run` runs this before the tests; the test calls it too,
// so a clean clone needs only Python 3 and PyPI. Usage: bun scripts/schemathesis.ts

import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/service-process.ts";

/** The pinned version; the venv's folder carries it, so a bump installs afresh. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const VENV = join(ROOT, ".cache", `schemathesis-${SCHEMATHESIS_VERSION}`);

/** The `st` executable, or why there is none. */
export type Schemathesis = { ok: true; st: string } | { ok: false; reason: string };

function run(command: string[]): { ok: boolean; output: string } {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`.trim();
  return { ok: result.exitCode === 0, output: output.split("\n").slice(-5).join("\n") };
}

/** Finds the venv's `st`, creating the venv first when it is missing (about 10 s). */
export function ensureSchemathesis(): Schemathesis {
  const st = join(VENV, "bin", "st");
  // Written last: a venv without it is an interrupted install, made again.
  const done = join(VENV, "installed");
  if (existsSync(done)) return { ok: true, st };
  const python = Bun.which("python3");
  if (!python) return { ok: false, reason: "python3 is not installed" };
  rmSync(VENV, { recursive: true, force: true });
  const steps = [
    [python, "-m", "venv", VENV],
    [
      join(VENV, "bin", "pip"),
      "install",
      "--quiet",
      "--disable-pip-version-check",
      // Where PyPI is out of reach, say so within a minute instead of retrying for minutes.
      "--retries",
      "2",
      "--timeout",
      "20",
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ],
  ];
  for (const step of steps) {
    const result = run(step);
    if (!result.ok) {
      rmSync(VENV, { recursive: true, force: true });
      return { ok: false, reason: `${step.slice(0, 3).join(" ")} failed: ${result.output}` };
    }
  }
  writeFileSync(done, `${SCHEMATHESIS_VERSION}\n`);
  return { ok: true, st };
}

if (import.meta.main) {
  const result = ensureSchemathesis();
  if (!result.ok) {
    console.error(`schemathesis ${SCHEMATHESIS_VERSION} could not be installed: ${result.reason}`);
    process.exit(1);
  }
  console.log(`schemathesis ${SCHEMATHESIS_VERSION}: ${result.st}`);
}
