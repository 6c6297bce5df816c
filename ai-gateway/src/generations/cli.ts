import { collectionsOf } from "@event-mesh/contracts";
import { ConfigError } from "@event-mesh/service-kit";
import { readConfig } from "../config.ts";
import { openDatabase } from "../db.ts";
import { qdrantPointer } from "./qdrant-pointer.ts";
import { formatView, generationViews } from "./status.ts";
import { GenerationTable } from "./table.ts";

/**
 * `bun run reembed status [--watch]`: the generations, with a progress bar for one being built.
 * `bun run reembed rollback`: back to the previous generation (the running gateway follows
 * within 5 s). Reads DATA_DIR as the gateway does.
 */
const USAGE = "usage: bun run reembed status [--watch] | rollback";

async function main(args: string[]): Promise<number> {
  const [command = "status", flag] = args;
  const config = readConfig(process.env);
  if (config.DATA_DIR === ":memory:") {
    console.error("DATA_DIR is :memory: — nothing to read");
    return 1;
  }
  const db = openDatabase(config.DATA_DIR);
  const table = new GenerationTable(db);
  try {
    if (command === "rollback") {
      const previous = table.inState("previous");
      // With Qdrant the aliases are what every gateway follows; they move first.
      if (previous && config.QDRANT_URL) {
        const collections = collectionsOf();
        const pointer = qdrantPointer({
          url: config.QDRANT_URL,
          apiKey: config.QDRANT_API_KEY,
          prefix: config.QDRANT_COLLECTION_PREFIX,
          collections,
        });
        await pointer.point(previous.id);
      }
      const back = table.rollback();
      if (!back) {
        console.error("no previous generation is kept: nothing to roll back to");
        return 1;
      }
      console.log(`rolled back: g${back.id} (${back.embedder}/${back.dims}) is current again`);
      return 0;
    }
    if (command !== "status") {
      console.error(USAGE);
      return 2;
    }
    const print = () =>
      generationViews(table)
        .map((view) => formatView(view))
        .join("\n");
    if (flag !== "--watch") {
      console.log(print() || "no generations yet (the gateway has not started on this DATA_DIR)");
      return 0;
    }
    // Redraws in place until nothing is building any more.
    for (;;) {
      process.stdout.write(`\x1b[2K\r${print().split("\n").join("  |  ")}`);
      if (!table.inState("building")) break;
      await Bun.sleep(1000);
    }
    process.stdout.write("\n");
    return 0;
  } finally {
    db.close();
  }
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
