// The charts of each benchmark, drawn from its results JSON alone, so that `bun run bench:charts`
// redraws them without running anything: latency for http, search and e2e, throughput per case
// for ingest and producer, and the search cost curve.

import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type BarGroup, barChart, histogramChart, logLogChart } from "./chart.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const num = (object: Json, key: string): number => {
  const value = object[key];
  return typeof value === "number" ? value : Number.NaN;
};
const str = (object: Json, key: string, fallback: string): string => {
  const value = object[key];
  return typeof value === "string" ? value : fallback;
};
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
/** When and on what the figures were measured, under each chart's title. */
function measured(result: Json, name = str(result, "benchmark", "?")): string {
  const machine = isObject(result.machine) ? result.machine : {};
  const when = `${str(result, "at", "").slice(0, 16).replace("T", " ")} UTC`;
  return `bench/results/${name}.json, ${when}, ${num(machine, "cores")} cores, Bun ${str(machine, "bun", "?")}`;
}

/** Nearest-rank percentile, as bench/lib/report.ts computes it. */
function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    Number.NaN
  );
}

const latencyBars = (label: string, object: Json, keys: [string, string][]): BarGroup => ({
  label,
  bars: keys.map(([series, key]) => ({ series, value: num(object, key) })),
});

function http(result: Json, name: string): Record<string, string> {
  const groups = [
    ...["baseline", "userService"].map((key) => result[key]).filter(isObject),
    ...objects(result.postgres),
  ];
  return {
    [`${name}.svg`]: barChart({
      title: `bench:http — POST /users/create latency, wrk -c64`,
      subtitle: measured(result, name),
      unit: "ms",
      groups: groups.map((target) =>
        latencyBars(
          `${str(target, "target", "?")} (${Math.round(num(target, "requestsPerSecond")).toLocaleString("en-US")} req/s)`,
          target,
          [
            ["p50", "p50Ms"],
            ["p99", "p99Ms"],
            ["max", "maxMs"],
          ],
        ),
      ),
    }),
  };
}

/** `<name>.svg`, and `<name>-cost.svg` when the results hold more than one size. */
function search(result: Json, name: string): Record<string, string> {
  const cases = objects(result.results);
  const names = [...new Set(cases.map((each) => str(each, "case", "?")))];
  const sizes = new Set(cases.map((each) => num(each, "vectorsPerTenant")));
  const charts: Record<string, string> = {
    [`${name}.svg`]: barChart({
      title: `bench:search — latency per query, by case and vectors per tenant`,
      subtitle: measured(result),
      unit: "ms",
      groups: cases.map((each) =>
        latencyBars(
          `${str(each, "case", "?")}, ${num(each, "vectorsPerTenant").toLocaleString("en-US")}`,
          each,
          [
            ["p50", "p50Ms"],
            ["p99", "p99Ms"],
          ],
        ),
      ),
    }),
  };
  if (sizes.size < 2) return charts;
  charts[`${name}-cost.svg`] = logLogChart({
    title: `bench:search — p99 per query as the tenant grows`,
    subtitle: measured(result),
    xLabel: "vectors per tenant",
    yLabel: "p99 ms per query",
    lines: names.map((name) => ({
      name,
      points: cases
        .filter((each) => each.case === name)
        .map((each) => [num(each, "vectorsPerTenant"), num(each, "p99Ms")] as [number, number]),
    })),
  });
  return charts;
}

function e2e(result: Json): Record<string, string> {
  if (!Array.isArray(result.runs)) return e2eOneRate(result);
  // bare mode follows nothing: it has no searchable figures to draw.
  const runs = objects(result.runs).filter((run) => Number.isFinite(num(run, "visibleP50Ms")));
  return {
    "e2e.svg": barChart({
      title: `bench:e2e — 201 → searchable at a steady rate (open loop, after= searches)`,
      subtitle: measured(result),
      unit: "ms",
      groups: runs.map((run) =>
        latencyBars(
          `${str(run, "mode", "?")} at ${num(run, "rate").toLocaleString("en-US")}/s (achieved ${Math.round(num(run, "achievedRate")).toLocaleString("en-US")}/s)`,
          run,
          [
            ["p50", "visibleP50Ms"],
            ["p99", "visibleP99Ms"],
          ],
        ),
      ),
    }),
  };
}

/** Results of the polling bench (one rate, embedded): its samples, or its percentiles. */
function e2eOneRate(result: Json): Record<string, string> {
  const samples = isObject(result.samples) ? result.samples : {};
  const visible = Array.isArray(samples.visibleMs)
    ? samples.visibleMs.filter((v) => typeof v === "number")
    : [];
  const title = `bench:e2e — 201 of POST /users/create → first search hit, ${num(result, "rate")} creates/s`;
  if (visible.length > 0)
    return {
      "e2e.svg": histogramChart({
        title,
        subtitle: measured(result),
        unit: "ms",
        samples: visible,
        marks: [
          { label: "p50", value: percentileOf(visible, 50) },
          { label: "p99", value: percentileOf(visible, 99) },
        ],
      }),
    };
  // Results written before the raw samples were kept: their percentiles only.
  return {
    "e2e.svg": barChart({
      title,
      subtitle: measured(result),
      unit: "ms",
      groups: [
        latencyBars("201 of POST /users/create", result, [
          ["p50", "createP50Ms"],
          ["p99", "createP99Ms"],
        ]),
        latencyBars("201 → searchable", result, [
          ["p50", "visibleP50Ms"],
          ["p99", "visibleP99Ms"],
          ["max", "visibleMaxMs"],
        ]),
      ],
    }),
  };
}

function throughput(result: Json, title: string, keys: string[], rate: string, unit: string) {
  return barChart({
    title: `${title}`,
    subtitle: measured(result),
    unit,
    groups: keys
      .map((key) => result[key])
      .filter(isObject)
      .map((each) => ({
        label: str(each, "case", "?"),
        bars: [{ series: unit, value: num(each, rate) }],
      })),
  });
}

/**
 * bench:quality: recall@1 of each kind of query, per embedder, store and mode; named after its
 * results file (`quality-chunks-model.json` → `quality-chunks-model.svg`).
 */
function quality(result: Json, name: string): Record<string, string> {
  const kinds = ["paraphrase", "exact", "filtered", "long"];
  return {
    [`${name}.svg`]: barChart({
      title: "bench:quality — recall@1 by kind of query",
      subtitle: measured(result),
      unit: "",
      groups: objects(result.results).map((row) => {
        const scores = isObject(row.scores) ? row.scores : {};
        return {
          label: `${str(row, "embedder", "?")} · ${str(row, "store", "?")} · ${str(row, "mode", "?")}`,
          bars: kinds.map((kind) => ({
            series: kind,
            value: isObject(scores[kind]) ? num(scores[kind], "recallAt1") : Number.NaN,
          })),
        };
      }),
    }),
  };
}

/** The charts of one results JSON, file name → SVG; none for an unknown benchmark. */
export function chartsOf(
  result: Json,
  name = str(result, "benchmark", "?"),
): Record<string, string> {
  switch (result.benchmark) {
    case "http":
      return http(result, name);
    case "search":
      return search(result, name);
    case "e2e":
      return e2e(result);
    case "quality":
      return quality(result, name);
    case "ingest":
      return {
        "ingest.svg": throughput(
          result,
          "bench:ingest — events stored per second, by case",
          ["measured", "baseline", "http"],
          "eventsPerSecond",
          "events/s",
        ),
      };
    case "producer":
      return {
        "producer.svg": throughput(
          result,
          "bench:producer — messages acknowledged per second, by producer",
          ["kcat", "relay", "client"],
          "messagesPerSecond",
          "msg/s",
        ),
      };
    default:
      return {};
  }
}

/** Draws the charts of `bench/results/<name>.json` beside it; returns the files written. */
export function writeCharts(jsonPath: string): string[] {
  const result: unknown = JSON.parse(readFileSync(jsonPath, "utf8"));
  if (!isObject(result)) throw new Error(`${basename(jsonPath)} is not a results object`);
  return Object.entries(chartsOf(result, basename(jsonPath, ".json"))).map(([file, svg]) => {
    const path = join(dirname(jsonPath), file);
    writeFileSync(path, svg);
    return path;
  });
}
