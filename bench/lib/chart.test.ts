import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { barChart, escapeXml, histogramChart, logLogChart } from "./chart.ts";
import { ROOT } from "./report.ts";
import { chartsOf } from "./result-charts.ts";

/** Fails with the parser's message (line and column) unless `svg` is well-formed XML. */
function expectWellFormed(svg: string): void {
  const verdict = XMLValidator.validate(svg);
  expect(verdict === true ? true : JSON.stringify(verdict.err)).toBe(true);
  const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg;
  expect(root["@_xmlns"]).toBe("http://www.w3.org/2000/svg");
  expect(Number(root["@_height"])).toBeGreaterThan(0);
}

/** The text a reader sees: every <text> and <title> content, entities decoded. */
function visibleText(svg: string): string {
  return [...svg.matchAll(/<(text|title)[^>]*>([^<]*)</g)]
    .map((match) =>
      (match[2] ?? "").replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    )
    .join("\n");
}

describe("barChart", () => {
  const svg = barChart({
    title: "Throughput <by case> & more",
    subtitle: "measured here",
    unit: "msg/s",
    groups: [
      {
        label: "kcat -P (librdkafka, baseline)",
        bars: [
          { series: "p50", value: 330_283.5 },
          { series: "p99", value: 12 },
        ],
      },
      {
        label: "relay → @platformatic/kafka",
        bars: [
          { series: "p50", value: 44_624.6 },
          { series: "p99", value: 0.427 },
        ],
      },
    ],
  });

  test("is well-formed SVG, title and labels escaped", () => {
    expectWellFormed(svg);
    expect(svg).not.toContain("<by case>");
  });

  test("holds every group label, series name and value, and bar lengths in proportion", () => {
    const seen = visibleText(svg);
    for (const label of [
      "Throughput <by case> & more",
      "measured here",
      "kcat -P (librdkafka, baseline)",
      "relay → @platformatic/kafka",
      "p50",
      "p99",
      "330,284 msg/s",
      "44,625 msg/s",
      "0.427 msg/s",
    ])
      expect(seen).toContain(label);
    const widths = [...svg.matchAll(/<rect x="24" y="[\d.]+" width="([\d.]+)"/g)].map((match) =>
      Number(match[1]),
    );
    expect(widths).toHaveLength(4);
    expect((widths[2] ?? 0) / (widths[0] ?? 1)).toBeCloseTo(44_624.6 / 330_283.5, 2);
  });
});

test("histogramChart counts every sample into its bin and marks the percentiles", () => {
  const samples = [
    ...Array.from({ length: 90 }, () => 10),
    ...Array.from({ length: 10 }, () => 95),
  ];
  const svg = histogramChart({
    title: "e2e",
    unit: "ms",
    samples,
    bins: 10,
    marks: [{ label: "p99", value: 95 }],
  });
  expectWellFormed(svg);
  const seen = visibleText(svg);
  expect(seen).toContain("100 samples");
  expect(seen).toContain("p99 95 ms");
  expect(seen).toContain("0–9.5 ms: 0");
  expect(seen).toContain("9.5–19 ms: 90");
  expect(seen).toContain("85.5–95 ms: 10");
});

test("logLogChart draws one line per series through its points, on decade grid lines", () => {
  const svg = logLogChart({
    title: "cost",
    xLabel: "vectors per tenant",
    yLabel: "p99 ms",
    lines: [
      {
        name: "float32 brute force",
        points: [
          [10_000, 10.8],
          [100_000, 91],
        ],
      },
      {
        name: "binary codes",
        points: [
          [10_000, 1.45],
          [100_000, 10.1],
        ],
      },
    ],
  });
  expectWellFormed(svg);
  expect(svg.match(/<polyline /g)).toHaveLength(2);
  const seen = visibleText(svg);
  for (const label of [
    "float32 brute force: 100,000 → 91",
    "binary codes: 10,000 → 1.45",
    "vectors per tenant",
    "p99 ms",
    "10,000",
    "100,000",
    "1",
    "100",
  ])
    expect(seen).toContain(label);
});

test("escapeXml leaves no markup character", () => {
  expect(escapeXml(`a<b>&"c'`)).toBe("a&#60;b&#62;&#38;&#34;c&#39;");
});

describe("the charts in bench/results", () => {
  const dir = join(ROOT, "bench", "results");
  const results = readdirSync(dir).filter((file) => file.endsWith(".json"));

  test("every benchmark's JSON has its charts, and the committed SVGs are what bench:charts draws from it", () => {
    const drawn = results.flatMap((file) =>
      Object.entries(
        chartsOf(JSON.parse(readFileSync(join(dir, file), "utf8")), file.replace(/\.json$/, "")),
      ),
    );
    expect(drawn.map(([file]) => file).sort()).toEqual([
      "e2e.svg",
      "http-postgres.svg",
      "http.svg",
      "ingest.svg",
      "producer.svg",
      "quality-chunks-hashing.svg",
      "quality-chunks-model-400.svg",
      "quality-chunks-model-500.svg",
      "quality-chunks-model.svg",
      "quality-fusion.svg",
      "quality-qdrant.svg",
      "quality.svg",
      "search-1m-qdrant.svg",
      "search-cost.svg",
      "search.svg",
    ]);
    for (const [file, svg] of drawn) {
      expectWellFormed(svg);
      expect(readFileSync(join(dir, file), "utf8")).toBe(svg);
    }
  });

  test("hold the cases of their JSON: the search cases and sizes, the producers, the ingest cases", () => {
    const charts = Object.assign(
      {},
      ...results.map((file) => chartsOf(JSON.parse(readFileSync(join(dir, file), "utf8")))),
    );
    expect(visibleText(charts["search-cost.svg"])).toContain("GET /search over HTTP: 1,000,000");
    expect(visibleText(charts["search.svg"])).toContain(
      "binary codes + rescoring, in-process, 100,000",
    );
    expect(visibleText(charts["producer.svg"])).toContain("kcat -P (librdkafka, baseline)");
    expect(visibleText(charts["ingest.svg"])).toContain("Kafka, BATCH_MAX=1");
    expect(visibleText(charts["http.svg"])).toContain("bare Hono (baseline)");
  });

  test("e2e draws the histogram of its raw samples when the JSON keeps them", () => {
    const svg =
      chartsOf({
        benchmark: "e2e",
        at: "2026-01-01T00:00:00Z",
        rate: 500,
        samples: { visibleMs: [40, 41, 42, 60] },
      })["e2e.svg"] ?? "";
    expectWellFormed(svg);
    expect(visibleText(svg)).toContain("4 samples");
    expect(visibleText(svg)).toContain("p50 41 ms");
  });

  test("e2e at steady rates draws p50 and p99 per mode and rate", () => {
    const run = (mode: string, rate: number, p50: number) => ({
      mode,
      rate,
      achievedRate: rate - 1,
      visibleP50Ms: p50,
      visibleP99Ms: p50 * 3,
    });
    const svg =
      chartsOf({
        benchmark: "e2e",
        at: "2026-01-01T00:00:00Z",
        runs: [
          // bare Hono follows nothing: no searchable figures (null in the JSON).
          { mode: "bare", rate: 500, achievedRate: 500, visibleP50Ms: null, visibleP99Ms: null },
          run("embedded", 500, 20),
          run("kafka", 3000, 70),
        ],
      })["e2e.svg"] ?? "";
    expectWellFormed(svg);
    expect(visibleText(svg)).toContain("embedded at 500/s (achieved 499/s)");
    expect(visibleText(svg)).toContain("kafka at 3,000/s (achieved 2,999/s)");
    expect(visibleText(svg)).toContain("210 ms");
    expect(visibleText(svg)).not.toContain("bare at");
    // The bars are drawn to scale: the longest one is wide, not collapsed by a missing value.
    const widths = [...svg.matchAll(/<rect x="24" y="\d+" width="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(Math.max(...widths)).toBeGreaterThan(100);
  });
});
