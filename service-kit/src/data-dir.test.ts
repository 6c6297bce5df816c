import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDataDir } from "./data-dir.ts";
import { StartError } from "./errors.ts";

describe("prepareDataDir", () => {
  test("creates a missing folder and returns its absolute path", () => {
    const base = mkdtempSync(join(tmpdir(), "data-dir-"));
    const dir = prepareDataDir(join(base, "a", "b"));
    expect(existsSync(dir)).toBe(true);
    expect(dir.startsWith("/")).toBe(true);
  });

  // A path under a regular file fails for every user, root included (chmod does not stop root).
  test("refuses a path under a regular file with one line naming DATA_DIR", () => {
    const base = mkdtempSync(join(tmpdir(), "data-dir-"));
    writeFileSync(join(base, "file"), "");
    const attempt = () => prepareDataDir(join(base, "file", "data"));
    expect(attempt).toThrow(StartError);
    expect(attempt).toThrow(/^cannot use DATA_DIR .*file\/data: a part of the path is a file/);
  });

  test("refuses a path that is a file", () => {
    const base = mkdtempSync(join(tmpdir(), "data-dir-"));
    writeFileSync(join(base, "file"), "");
    expect(() => prepareDataDir(join(base, "file"))).toThrow(/cannot use DATA_DIR/);
  });
});
