import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import { Glob } from "bun";
import { EVENT_TYPES } from "./events.ts";
import { generatedFiles } from "./generated-files.ts";
import { TOPICS } from "./topics.ts";

const dir = join(import.meta.dir, "..", "generated");

describe("generated contract documents", () => {
  test("the committed files are exactly what the schemas generate (run `bun run contracts:generate`)", async () => {
    const expected = generatedFiles();
    const committed = [...new Glob("**/*.json").scanSync(dir)].sort();
    expect(committed).toEqual(Object.keys(expected).sort());
    for (const [path, content] of Object.entries(expected)) {
      expect(await Bun.file(join(dir, path)).text(), path).toBe(content);
    }
  });

  test("asyncapi.json parses with @asyncapi/parser without errors and names every type and topic", async () => {
    const text = await Bun.file(join(dir, "asyncapi.json")).text();
    const { document, diagnostics } = await new Parser().parse(text);
    // Severity 0 is an error; the only other finding is the advice to move to AsyncAPI 3.1.
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    if (!document) throw new Error("no document");
    const messageNames = document
      .allMessages()
      .all()
      .map((m) => m.name());
    expect(messageNames.sort()).toEqual([...EVENT_TYPES].sort());
    const addresses = document
      .allChannels()
      .all()
      .map((c) => c.address());
    expect(addresses.sort()).toEqual([...TOPICS].sort());
  });
});
