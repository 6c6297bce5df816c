import { expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TurnBufferedStdout } from "./logger.ts";

const LOGGER = join(import.meta.dir, "logger.ts");

/** Runs a script that logs `count` request lines on the default stdout, then ends by `end`. */
async function logInChild(count: number, end: string) {
  const script = `
    import { createLogger } from ${JSON.stringify(LOGGER)};
    const logger = createLogger({ name: "child" });
    for (let i = 0; i < ${count}; i++) logger.info({ i }, "request");
    ${end}
  `;
  const proc = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return { lines: out.trim().split("\n"), code };
}

for (const [how, end, code] of [
  ["ends by itself", "", 0],
  ["calls process.exit", "process.exit(3);", 3],
  ["throws", "throw new Error('boom');", 1],
] as const) {
  test(`every line logged before the process ${how} reaches stdout, in order`, async () => {
    const result = await logInChild(5000, end);
    expect(result.code).toBe(code);
    expect(result.lines).toHaveLength(5000);
    expect(result.lines.map((line) => JSON.parse(line).i)).toEqual([...Array(5000).keys()]);
  });
}

test("a line logged while idle is written in the next turn, without waiting for more", async () => {
  const dir = mkdtempSync(join(tmpdir(), "logger-stdout-"));
  const file = join(dir, "out.log");
  const fd = openSync(file, "w");
  try {
    const out = new TurnBufferedStdout(fd);
    out.write('{"msg":"one"}\n');
    out.write('{"msg":"two"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(file, "utf8")).toBe('{"msg":"one"}\n{"msg":"two"}\n');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
