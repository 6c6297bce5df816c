// What every benchmark shares: percentiles, the machine it ran on, peak RSS of a child process,
// a printed table and `bench/results/<name>.json`. Nothing here asserts a timing.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

/** The repository root. */
import { ROOT } from "../../scripts/lib/service-process.ts";
import { writeCharts } from "./result-charts.ts";

export { ROOT };

/** The `p`-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Cores, memory and load now: printed with every result, since the figures depend on them. */
export function machine() {
  const [one, five, fifteen] = loadavg();
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: { one, five, fifteen },
    bun: Bun.version,
  };
}

/** Peak resident set size of a process (`VmHWM`), in MB; undefined once it has exited. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc: steadier than a rate on a
 * shared machine, where the wall clock also counts the time other processes held the cores.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time so far (/proc/stat, in ticks): all of it, idle, and stolen by the host. */
export function machineTicks(): { total: number; idle: number; steal: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    // cpu user nice system idle iowait irq softirq steal …
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return {
      total: f.reduce((a, b) => a + b, 0),
      idle: (f[3] ?? 0) + (f[4] ?? 0),
      steal: f[7] ?? 0,
    };
  } catch {
    return { total: Number.NaN, idle: Number.NaN, steal: Number.NaN };
  }
}

/**
 * The share of the machine's CPU time between two machineTicks() that was busy, and that the
 * host stole (a virtual machine's neighbours): a run with steal measured a slower machine.
 */
export function machineShares(
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
): { busyPercent: number; stealPercent: number } {
  const total = after.total - before.total;
  return {
    busyPercent: (100 * (total - (after.idle - before.idle))) / total,
    stealPercent: (100 * (after.steal - before.steal)) / total,
  };
}

/** A row of the printed table: label → value. */
export type Row = Record<string, string | number>;

/** Rounds for display: integers above 100, two decimals below. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2);
}

/** Prints `rows` as a Markdown table (pasteable into bench/README.md). */
export function printTable(title: string, rows: readonly Row[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined) =>
    value === undefined ? "" : typeof value === "number" ? fmt(value) : value;
  const lines = [
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(" | ")} |`),
  ];
  console.log(`\n${title}\n\n${lines.join("\n")}\n`);
}

/**
 * Writes `bench/results/<name>.json` with the machine, the time and `result`, and its SVG charts
 * beside it (bench/lib/result-charts.ts).
 */
export function writeResult(name: string, result: Record<string, unknown>): string {
  // bench:compare points each run at a folder of its own, so runs never overwrite bench/results.
  const dir = process.env.BENCH_RESULTS_DIR ?? join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const body = { benchmark: name, at: new Date().toISOString(), machine: machine(), ...result };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`wrote ${path}`);
  for (const chart of writeCharts(path)) console.log(`wrote ${chart}`);
  return path;
}

/** Logs a progress line to stderr, so stdout stays the table. */
export function progress(message: string): void {
  console.error(`[bench] ${message}`);
}
