// bench:charts — redraws every chart of bench/results/ from the JSON files there, without
// running a benchmark (the benchmarks draw their own after each run).
// `bun run bench:charts`.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/report.ts";
import { writeCharts } from "./lib/result-charts.ts";

const dir = join(ROOT, "bench", "results");
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith(".json"))
  .sort())
  for (const written of writeCharts(join(dir, file))) console.log(`wrote ${written}`);
