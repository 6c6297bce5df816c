// Installs what the example producers in other languages need, from the registries, under
// .cache/: examples/go-orders built with modules from the Go proxy, examples/python-invoices'
// confluent-kafka in a venv from PyPI (pinned in its requirements.txt). `.ci/run` runs this
// before the tests; their tests call it too. Usage: bun scripts/examples.ts

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/service-process.ts";
import { ensureVenv } from "./lib/venv.ts";

/** An installed example's command, or why there is none. */
export type Installed = { ok: true; command: string[] } | { ok: false; reason: string };

const GO_EXAMPLE = join(ROOT, "examples", "go-orders");
const PY_EXAMPLE = join(ROOT, "examples", "python-invoices");
const GO_CACHE = join(ROOT, ".cache", "go");

/** Builds examples/go-orders (modules and build cache under .cache/go). */
export function ensureGoOrders(): Installed {
  const go = Bun.which("go") ?? Bun.which("/usr/local/go/bin/go");
  if (!go) return { ok: false, reason: "Go is not installed" };
  mkdirSync(GO_CACHE, { recursive: true });
  const binary = join(GO_CACHE, "go-orders");
  const env = {
    ...process.env,
    GOMODCACHE: join(GO_CACHE, "mod"),
    GOCACHE: join(GO_CACHE, "build"),
  };
  const built = Bun.spawnSync([go, "build", "-o", binary, "."], {
    cwd: GO_EXAMPLE,
    env,
    stderr: "pipe",
  });
  if (built.exitCode !== 0)
    return { ok: false, reason: `go build failed: ${built.stderr.toString().trim()}` };
  return { ok: true, command: [binary] };
}

/** A venv with examples/python-invoices' requirements; the folder names their pins. */
export function ensurePythonInvoices(): Installed {
  const pins = readFileSync(join(PY_EXAMPLE, "requirements.txt"), "utf8").trim().split(/\s+/);
  const venv = ensureVenv(join(ROOT, ".cache", `python-invoices-${pins.join("_")}`), pins);
  if (!venv.ok) return venv;
  return { ok: true, command: [join(venv.dir, "bin", "python"), join(PY_EXAMPLE, "publish.py")] };
}

if (import.meta.main) {
  let failed = false;
  for (const [name, ensure] of [
    ["go-orders", ensureGoOrders],
    ["python-invoices", ensurePythonInvoices],
  ] as const) {
    const result = ensure();
    if (result.ok) console.log(`${name}: ${result.command.join(" ")}`);
    else console.error(`${name} could not be installed: ${result.reason}`);
    failed ||= !result.ok;
  }
  if (failed) process.exit(1);
}
