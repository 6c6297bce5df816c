// The project's own lint rules (lint/*.grit, run by `bun run check`) find what they are for:
// each is run by Biome on a test file that breaks it and on one that does not.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** Biome's lint diagnostics for `source`, written as a test file inside the repository. */
function lint(source: string): string {
  // Inside the repository, so Biome reads its biome.json (and the plugins it names).
  mkdirSync(join(ROOT, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".cache", "lint-"));
  const file = join(dir, "sample.test.ts");
  writeFileSync(file, source);
  try {
    // .cache is git-ignored, and Biome skips ignored files unless told not to.
    const run = Bun.spawnSync(["bunx", "biome", "lint", "--vcs-use-ignore-file=false", file], {
      cwd: ROOT,
    });
    return `${run.stdout.toString()}${run.stderr.toString()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a test with no assertion is reported; one with expect, throw or a check… helper is not", () => {
  const bad = lint(`import { test } from "bun:test";
test("creates a user", async () => {
  await fetch("http://127.0.0.1:1/users");
});
`);
  expect(bad).toContain("This test checks nothing");
  const good = lint(`import { expect, test } from "bun:test";
const checkFlow = async () => expect(1).toBe(1);
test("a", () => { expect(1 + 1).toBe(2); });
test("b", () => { throw new Error("no broker (REQUIRE_KAFKA=1)"); });
test("c", async () => { await checkFlow(); });
`);
  expect(good).not.toContain("This test checks nothing");
});

test("a test that returns early is reported", () => {
  const bad = lint(`import { expect, test } from "bun:test";
test("needs a tool", () => {
  if (!process.env.TOOL) return;
  expect(1).toBe(1);
});
`);
  expect(bad).toContain("returns early");
});
