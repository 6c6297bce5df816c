// Small SVG charts for the benchmark results: grouped horizontal bars (throughput per case,
// latency percentiles per case), a histogram of raw samples, and lines on log-log axes (how a
// cost grows with size). Plain strings, no dependency: each chart is a few dozen elements, and
// GitHub renders an SVG file embedded in Markdown as an image.

/** One bar of a group: which series it belongs to, and its value. */
export interface Bar {
  series: string;
  value: number;
}

/** A labelled group of bars (one case, one target). */
export interface BarGroup {
  label: string;
  bars: Bar[];
}

/** A named line of (x, y) points. */
export interface Line {
  name: string;
  points: [number, number][];
}

const WIDTH = 760;
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A readable number: integers with thousands separators above 100, else 3 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(3)).toString();
}

const text = (x: number, y: number, content: string, extra = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${escapeXml(content)}</text>`;

/** What every chart takes: a title, and a line under it (when, how, on what). */
export interface ChartText {
  title: string;
  subtitle?: string;
}

function frame(options: ChartText, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(16, 24, options.title, 'font-size="15" font-weight="600" fill="#222"'),
    text(16, 42, options.subtitle ?? "", 'fill="#666"'),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Legend entries from y = 64 on, wrapped to the width; returns them and the y below them. */
function legend(names: string[]): [string[], number] {
  const elements: string[] = [];
  let [x, y] = [16, 64];
  names.forEach((name, i) => {
    const width = 30 + name.length * 6.5;
    if (x > 16 && x + width > WIDTH - 16) [x, y] = [16, y + 18];
    elements.push(
      `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      text(x + 14, y, name, 'fill="#333"'),
    );
    x += width;
  });
  return [elements, names.length > 0 ? y + 14 : 56];
}

/** Grouped horizontal bars, one colour per series, the value written at the end of each bar. */
export function barChart(options: ChartText & { unit: string; groups: BarGroup[] }): string {
  const series = [
    ...new Set(options.groups.flatMap((group) => group.bars.map((bar) => bar.series))),
  ];
  // Each group's label on its own line above its bars, so that long case names never overlap.
  const left = 24;
  const plotWidth = WIDTH - left - 130;
  // A missing figure (NaN) is drawn empty, and must not collapse every other bar.
  const values = options.groups.flatMap((group) => group.bars.map((bar) => bar.value));
  const max = Math.max(...values.filter(Number.isFinite), 0);
  const scale = (value: number) => (max > 0 ? (Math.max(0, value) / max) * plotWidth : 0);
  const barHeight = 14;
  const [keys, below] = legend(series.length > 1 ? series : []);
  const body: string[] = [...keys];
  let y = below + 14;
  for (const group of options.groups) {
    body.push(text(16, y, group.label, 'fill="#222"'));
    y += 6;
    const top = y;
    for (const bar of group.bars) {
      const color = COLORS[series.indexOf(bar.series) % COLORS.length];
      const width = scale(bar.value);
      body.push(
        `<rect x="${left}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${color}"><title>${escapeXml(`${group.label}, ${bar.series}: ${formatValue(bar.value)} ${options.unit}`)}</title></rect>`,
        text(
          left + width + 6,
          y + barHeight - 3,
          `${formatValue(bar.value)} ${options.unit}`,
          'fill="#333"',
        ),
      );
      y += barHeight + 3;
    }
    body.push(`<line x1="${left}" y1="${top - 2}" x2="${left}" y2="${y - 1}" stroke="#999"/>`);
    y += 20;
  }
  return frame(options, y - 6, body);
}

/** A histogram of raw samples in `bins` equal bins, with the given marks (p50, p99) as lines. */
export function histogramChart(
  options: ChartText & {
    unit: string;
    samples: readonly number[];
    bins?: number;
    marks?: { label: string; value: number }[];
  },
): string {
  const bins = options.bins ?? 40;
  const values = options.samples.filter(Number.isFinite);
  const low = Math.min(...values, 0);
  const high = Math.max(...values, low + 1);
  const step = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    const bin = Math.min(bins - 1, Math.floor((value - low) / step));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const [left, top, plotWidth, plotHeight] = [60, 64, WIDTH - 100, 220];
  const most = Math.max(...counts, 1);
  const x = (value: number) => left + ((value - low) / (high - low)) * plotWidth;
  const body: string[] = [];
  counts.forEach((count, i) => {
    const height = (count / most) * plotHeight;
    const from = low + i * step;
    body.push(
      `<rect x="${x(from).toFixed(1)}" y="${(top + plotHeight - height).toFixed(1)}" width="${Math.max(1, plotWidth / bins - 1).toFixed(1)}" height="${height.toFixed(1)}" fill="${COLORS[0]}"><title>${escapeXml(`${formatValue(from)}–${formatValue(from + step)} ${options.unit}: ${count}`)}</title></rect>`,
    );
  });
  for (const [i, mark] of (options.marks ?? []).entries()) {
    const at = x(mark.value);
    body.push(
      `<line x1="${at.toFixed(1)}" y1="${top}" x2="${at.toFixed(1)}" y2="${top + plotHeight}" stroke="${COLORS[(i + 1) % COLORS.length]}" stroke-width="2" stroke-dasharray="4 3"/>`,
      text(
        at + 4,
        top + 12 + i * 14,
        `${mark.label} ${formatValue(mark.value)} ${options.unit}`,
        'fill="#222"',
      ),
    );
  }
  const axis = top + plotHeight;
  body.push(
    `<line x1="${left}" y1="${axis}" x2="${left + plotWidth}" y2="${axis}" stroke="#999"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const value = low + ((high - low) * i) / 4;
    body.push(text(x(value), axis + 16, formatValue(value), 'fill="#555" text-anchor="middle"'));
  }
  body.push(text(left - 6, top + 4, String(most), 'fill="#555" text-anchor="end"'));
  body.push(
    text(
      left,
      axis + 34,
      `${options.unit} (${values.length.toLocaleString("en-US")} samples; bar height: count)`,
      'fill="#555"',
    ),
  );
  return frame(options, axis + 48, body);
}

/** Lines on log-log axes: how a cost grows with size, one line per series. */
export function logLogChart(
  options: ChartText & {
    xLabel: string;
    yLabel: string;
    lines: Line[];
  },
): string {
  const points = options.lines.flatMap((line) => line.points).filter(([a, b]) => a > 0 && b > 0);
  const decades = (values: number[]) => [
    Math.floor(Math.log10(Math.min(...values))),
    Math.ceil(Math.log10(Math.max(...values))) || 1,
  ];
  const [x0, x1] = decades(points.map(([a]) => a));
  const [y0, y1] = decades(points.map(([, b]) => b));
  const [keys, below] = legend(options.lines.map((line) => line.name));
  const [left, top, plotWidth, plotHeight] = [70, below + 24, WIDTH - 140, 240];
  const x = (value: number) =>
    left + ((Math.log10(value) - (x0 ?? 0)) / ((x1 ?? 1) - (x0 ?? 0) || 1)) * plotWidth;
  const y = (value: number) =>
    top +
    plotHeight -
    ((Math.log10(value) - (y0 ?? 0)) / ((y1 ?? 1) - (y0 ?? 0) || 1)) * plotHeight;
  const body: string[] = [...keys];
  for (let d = x0 ?? 0; d <= (x1 ?? 1); d++)
    body.push(
      `<line x1="${x(10 ** d).toFixed(1)}" y1="${top}" x2="${x(10 ** d).toFixed(1)}" y2="${top + plotHeight}" stroke="#eee"/>`,
      text(
        x(10 ** d),
        top + plotHeight + 16,
        formatValue(10 ** d),
        'fill="#555" text-anchor="middle"',
      ),
    );
  for (let d = y0 ?? 0; d <= (y1 ?? 1); d++)
    body.push(
      `<line x1="${left}" y1="${y(10 ** d).toFixed(1)}" x2="${left + plotWidth}" y2="${y(10 ** d).toFixed(1)}" stroke="#eee"/>`,
      text(16, y(10 ** d) + 4, formatValue(10 ** d), 'fill="#555"'),
    );
  options.lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length];
    const path = line.points
      .filter(([a, b]) => a > 0 && b > 0)
      .map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`);
    body.push(
      `<polyline points="${path.join(" ")}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    for (const [a, b] of line.points)
      body.push(
        `<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3.5" fill="${color}"><title>${escapeXml(`${line.name}: ${formatValue(a)} → ${formatValue(b)}`)}</title></circle>`,
      );
  });
  body.push(text(left + plotWidth / 2 - 60, top + plotHeight + 34, options.xLabel, 'fill="#333"'));
  body.push(text(16, top - 8, options.yLabel, 'fill="#333"'));
  return frame(options, top + plotHeight + 46, body);
}
