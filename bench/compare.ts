// bench:compare — the same benchmarks on another commit and on this working tree, alternating,
// so that a figure is always read against the code users had, measured in the same series.
//   bun run bench:compare <git ref> [bench ...]      e.g. bun run bench:compare main ingest http
// The ref is checked out (detached) in a worktree under .cache/compare/ and installed there once.
// Each round runs every bench on both sides, the side that goes first alternating per round;
// ROUNDS (3) rounds. Every numeric figure of each bench's results JSON whose name says it is a
// rate, a latency, a memory peak or a CPU cost is collected; the table prints the median of each
// side and the ratio (this tree / ref). Before each run the 1-minute load average must be under
// MAX_LOAD (1.5): a busier machine measures the neighbours, not the code. FORCE=1 runs anyway and
// marks the figures. Results: bench/results/compare-<benches>.json.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { machine, printTable, progress, ROOT, writeResult } from "./lib/report.ts";

const [ref, ...requested] = process.argv.slice(2);
if (!ref) {
  console.error("usage: bun run bench:compare <git ref> [bench ...]   (default benches: ingest)");
  process.exit(2);
}
const benches = requested.length > 0 ? requested : ["ingest"];
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MAX_LOAD = Number(process.env.MAX_LOAD ?? 1.5);
const FORCE = process.env.FORCE === "1";
/**
 * Figures worth comparing: rates, latencies, peaks and CPU costs; and the CPU the host stole
 * during each side's runs (bench:e2e), which says whether a ratio measured the code or the host.
 */
const FIGURE = /(PerSecond|Ms|RssMb|UsPerEvent|recallAt\d+|stealPercent)$/;

function git(args: string[], cwd = ROOT): string {
  const result = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0)
    throw new Error(`git ${args.join(" ")}: ${result.stderr.toString().trim()}`);
  return result.stdout.toString().trim();
}

/** The ref's tree, checked out and installed once under .cache/compare/<sha>. */
function refTree(name: string): { dir: string; sha: string } {
  const sha = git(["rev-parse", "--verify", `${name}^{commit}`]);
  const dir = join(ROOT, ".cache", "compare", sha.slice(0, 12));
  if (!existsSync(join(dir, "node_modules"))) {
    mkdirSync(join(ROOT, ".cache", "compare"), { recursive: true });
    if (existsSync(dir)) git(["worktree", "remove", "--force", dir]);
    git(["worktree", "add", "--detach", dir, sha]);
    progress(`installing ${name} (${sha.slice(0, 12)}) in ${dir}`);
    const install = Bun.spawnSync(["bun", "install", "--frozen-lockfile"], {
      cwd: dir,
      stdout: "inherit",
      stderr: "inherit",
    });
    if (install.exitCode !== 0) throw new Error(`bun install failed in ${dir}`);
  }
  return { dir, sha };
}

async function quiet(): Promise<number> {
  for (let waited = 0; ; waited += 10) {
    const [one = 0] = loadavg();
    if (one < MAX_LOAD || FORCE) return one;
    if (waited >= 300) {
      console.error(
        `load average ${one.toFixed(2)} ≥ ${MAX_LOAD} for 5 minutes: the machine is not quiet (FORCE=1 runs anyway)`,
      );
      process.exit(1);
    }
    if (waited % 60 === 0)
      progress(`waiting for a quiet machine (load ${one.toFixed(2)} ≥ ${MAX_LOAD})`);
    await Bun.sleep(10_000);
  }
}

/** A row's name: its case, target or name (and size, when rows repeat per size), else its index. */
function rowLabel(item: unknown, index: number): string {
  if (typeof item !== "object" || item === null) return String(index);
  const name =
    Reflect.get(item, "case") ?? Reflect.get(item, "target") ?? Reflect.get(item, "name");
  if (name === undefined) return String(index);
  const size = Reflect.get(item, "vectorsPerTenant") ?? Reflect.get(item, "rate");
  return size === undefined ? String(name) : `${String(name)} @${String(size)}`;
}

/** Every numeric figure of a results JSON, by its path (`results.2.eventsPerSecond`). */
function figures(value: unknown, path = "", out = new Map<string, number>()): Map<string, number> {
  if (typeof value === "number" && FIGURE.test(path)) out.set(path, value);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      // Rows are named by their case/target when they have one, so both sides line up.
      figures(item, `${path}${path ? "." : ""}${rowLabel(item, i)}`, out);
    });
  } else if (typeof value === "object" && value !== null && path.split(".").length < 6) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "machine" || key === "loadBefore") continue;
      figures(child, `${path}${path ? "." : ""}${key}`, out);
    }
  }
  return out;
}

/** Runs one bench in `dir`; returns its figures. The results go to a temporary folder. */
async function run(
  dir: string,
  bench: string,
): Promise<{ figures: Map<string, number>; load: number }> {
  const load = await quiet();
  const startedMs = Date.now();
  const out = mkdtempSync(join(tmpdir(), "bench-compare-"));
  try {
    const child = Bun.spawn(["bun", "run", `bench:${bench}`], {
      cwd: dir,
      // Both sides share this tree's local broker: its pid file (for the broker's CPU) is here.
      env: {
        KAFKA_CACHE_DIR: join(ROOT, ".cache", "kafka"),
        ...process.env,
        BENCH_RESULTS_DIR: out,
      },
      stdout: "inherit",
      stderr: "inherit",
    });
    if ((await child.exited) !== 0) throw new Error(`bench:${bench} failed in ${dir}`);
    // A ref older than BENCH_RESULTS_DIR writes into its own tree (a throwaway worktree).
    const file = [join(out, `${bench}.json`), join(dir, "bench", "results", `${bench}.json`)].find(
      existsSync,
    );
    if (!file) throw new Error(`bench:${bench} wrote no results file`);
    // A file older than this run is another run's (a ref's bench that writes nothing for a
    // partial run leaves its committed file): its figures are not this run's.
    if (statSync(file).mtimeMs < startedMs) {
      progress(`bench:${bench} in ${dir} wrote no results this run: its figures are left out`);
      return { figures: new Map(), load };
    }
    return { figures: figures(JSON.parse(readFileSync(file, "utf8"))), load };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const base = refTree(ref);
const sides = [
  { name: `${ref} (${base.sha.slice(0, 8)})`, dir: base.dir },
  { name: "this tree", dir: ROOT },
];
const collected = new Map<string, Map<string, number[]>>();
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  for (const bench of benches) {
    for (const side of order) {
      progress(`round ${round + 1}/${ROUNDS}: bench:${bench} on ${side.name}`);
      const { figures: found, load } = await run(side.dir, bench);
      loads.push(load);
      for (const [path, value] of found) {
        const key = `${bench}: ${path}`;
        const bySide = collected.get(key) ?? new Map<string, number[]>();
        bySide.set(side.name, [...(bySide.get(side.name) ?? []), value]);
        collected.set(key, bySide);
      }
    }
  }
}
const rows = [...collected].map(([figure, bySide]) => {
  const [refValues = [], treeValues = []] = sides.map((side) => bySide.get(side.name) ?? []);
  const before = median(refValues);
  const after = median(treeValues);
  return {
    figure,
    [sides[0]?.name ?? "ref"]: before,
    "this tree": after,
    ratio: after / before,
    runs: `${refValues.length}+${treeValues.length}`,
  };
});
printTable(
  `bench:compare — medians of ${ROUNDS} alternating rounds (ratio = this tree / ${ref})`,
  rows,
);
writeResult(`compare-${benches.join("-")}`, {
  ref,
  sha: base.sha,
  rounds: ROUNDS,
  forced: FORCE,
  loadAverages: loads,
  machineAtEnd: machine(),
  rows,
});
