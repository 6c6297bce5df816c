// Writes contracts/generated/: JSON Schema of every event's data and the AsyncAPI document.
// Run with `bun run contracts:generate`; a test fails when the committed files are stale.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { generatedFiles } from "../src/generated-files.ts";

const root = join(import.meta.dir, "..", "generated");
await rm(root, { recursive: true, force: true });
for (const [path, content] of Object.entries(generatedFiles())) {
  await mkdir(join(root, path, ".."), { recursive: true });
  await Bun.write(join(root, path), content);
  console.log(`wrote contracts/generated/${path}`);
}
