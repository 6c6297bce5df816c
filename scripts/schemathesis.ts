// Installs Schemathesis, the OpenAPI contract fuzzer of test/openapi-fuzz.test.ts, into a venv
// under .cache/ from PyPI, pinned. `.ci/run` runs this before the tests; the test calls it too,
// so a clean clone needs only Python 3 and PyPI. Usage: bun scripts/schemathesis.ts

import { join } from "node:path";
import { ROOT } from "./lib/service-process.ts";
import { ensureVenv } from "./lib/venv.ts";

/** The pinned version; the venv's folder carries it, so a bump installs afresh. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const VENV = join(ROOT, ".cache", `schemathesis-${SCHEMATHESIS_VERSION}`);

/** The `st` executable, or why there is none. */
export type Schemathesis = { ok: true; st: string } | { ok: false; reason: string };

/** Finds the venv's `st`, creating the venv first when it is missing (about 10 s). */
export function ensureSchemathesis(): Schemathesis {
  const venv = ensureVenv(VENV, [`schemathesis==${SCHEMATHESIS_VERSION}`]);
  return venv.ok ? { ok: true, st: join(venv.dir, "bin", "st") } : venv;
}

if (import.meta.main) {
  const result = ensureSchemathesis();
  if (!result.ok) {
    console.error(`schemathesis ${SCHEMATHESIS_VERSION} could not be installed: ${result.reason}`);
    process.exit(1);
  }
  console.log(`schemathesis ${SCHEMATHESIS_VERSION}: ${result.st}`);
}
