import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A copy of the contracts' sources under contracts/node_modules (so valibot resolves, and the
// repository's own `bun run check` never sees it), type-checked by the real compiler.
const contracts = join(import.meta.dir, "..");
const tsc = join(contracts, "..", "node_modules", ".bin", "tsc");
const dir = mkdtempSync(join(contracts, "node_modules", ".registry-check-"));
cpSync(join(contracts, "src"), join(dir, "src"), { recursive: true });
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({
    extends: join(contracts, "..", "tsconfig.json"),
    files: ["src/index.ts"],
    include: [],
  }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(): { code: number; output: string } {
  const run = Bun.spawnSync([tsc, "--noEmit", "-p", dir], { stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, output: `${run.stdout.toString()}${run.stderr.toString()}` };
}

describe("adding an event type without its rule", () => {
  test("the copied contracts type-check as they are", () => {
    expect(check()).toEqual({ code: 0, output: "" });
  });

  test("a schema added to EVENT_SCHEMAS alone fails the check, naming the type and the registry", () => {
    const events = join(dir, "src", "events.ts");
    const source = readFileSync(events, "utf8");
    const anchor = '  "billing.usage.incremented": UsageIncrementedData,\n';
    expect(source).toContain(anchor);
    // What a new contributor once did: the schema, and nothing else.
    writeFileSync(events, source.replace(anchor, `${anchor}  "invoice.paid": TaskData,\n`));
    const { code, output } = check();
    expect(code).not.toBe(0);
    expect(output).toContain("src/registry.ts");
    expect(output).toContain('"invoice.paid"');
    expect(output).toContain("is missing");
  });
});
