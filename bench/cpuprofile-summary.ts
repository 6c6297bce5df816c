// Summarises a .cpuprofile (from `bun --cpu-prof`): self time per file and per function, in %
// of all samples, so a profile can be quoted in bench/README.md without committing it.
// `bun bench/cpuprofile-summary.ts path/to/x.cpuprofile [top=25] [window]`: with `window`
// (a path fragment, e.g. outbox-kit/src/sink/kafka.ts), only the samples from the first to the
// last one with that file on the stack count, which leaves out a benchmark's set-up.

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, window] = process.argv.slice(2);
if (!file) {
  console.error("usage: bun bench/cpuprofile-summary.ts file.cpuprofile [top]");
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = (await Bun.file(file).json()) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);
/** Whether a frame of `fragment` is on the stack of `id`. */
function onStack(id: number, fragment: string): boolean {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (byId.get(at)?.callFrame.url.includes(fragment)) return true;
  }
  return false;
}
let from = 0;
let to = profile.samples.length - 1;
if (window) {
  from = profile.samples.findIndex((id) => onStack(id, window));
  to = profile.samples.findLastIndex((id) => onStack(id, window));
  if (from < 0) throw new Error(`no sample has ${window} on its stack`);
}

// Each sample counts once: the time delta after a sample also spans the idle gaps (the thread
// waiting for the broker), which would be charged to whatever ran last before the wait.
const deltas = profile.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
const interval = deltas[Math.floor(deltas.length / 2)] ?? 1000;
const perFile = new Map<string, number>();
const perFunction = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  if (i < from || i > to) return;
  const node = byId.get(id);
  if (!node) return;
  total += interval;
  const micros = interval;
  const { functionName, url, lineNumber } = node.callFrame;
  // Keep the part of the path after node_modules (package + file) or after the repo root.
  const where = url
    ? url
        .replace(/^.*node_modules\/(\.bun\/[^/]+\/node_modules\/)?/, "")
        .replace(`${process.cwd()}/`, "")
    : `(${functionName || "native"})`;
  perFile.set(where, (perFile.get(where) ?? 0) + micros);
  const name = `${functionName || "(anonymous)"} ${where}${url ? `:${lineNumber + 1}` : ""}`;
  perFunction.set(name, (perFunction.get(name) ?? 0) + micros);
});

function print(title: string, map: Map<string, number>): void {
  console.log(`\n| ${title} | self % | self ms |\n| --- | ---: | ---: |`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `| ${key} | ${((micros / total) * 100).toFixed(1)} | ${(micros / 1000).toFixed(0)} |`,
    );
  }
}
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled${window ? ` (window: ${window})` : ""}`,
);
print("file", perFile);
print("function", perFunction);
