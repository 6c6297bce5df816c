// Splits a bench:http CPU profile (`bun --cpu-prof` of user-service under wrk) into the parts
// of a request (store transaction, relay, request log, validation, metrics, ...), in % of the
// samples: each sample goes to the nearest frame, from the leaf up, that belongs to a part.
// `bun bench/http/profile-parts.ts file.cpuprofile [window]` (window as cpuprofile-summary.ts).
const [file, window] = process.argv.slice(2);
interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string };
}
const p = (await Bun.file(file ?? "").json()) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(p.nodes.map((n: ProfileNode) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stack = (id: number) => {
  const s: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (node) s.push(node);
  }
  return s;
};
const rules: [string, (f: ProfileNode) => boolean][] = [
  [
    "relay (peek, POST to the sink, remove)",
    (f) =>
      /outbox-kit\/src\/(relay|sink)/.test(f.callFrame.url) ||
      (/sqlite\/outbox.ts/.test(f.callFrame.url) && /peek|remove/.test(f.callFrame.functionName)),
  ],
  [
    "store transaction (inserts + COMMIT, group commit)",
    (f) => /group-commit|store\/sqlite/.test(f.callFrame.url),
  ],
  [
    "request log line (pino, buffered stdout)",
    (f) => /pino|logger.ts/.test(f.callFrame.url) && f.callFrame.functionName !== "routeOf",
  ],
  ["metrics (prom-client)", (f) => /prom-client|metrics.ts/.test(f.callFrame.url)],
  [
    "validation + JSON body (valibot, jsonBody)",
    (f) => /valibot|validator|json-body|validate.ts|standard-validator/.test(f.callFrame.url),
  ],
  ["auth", (f) => /auth.ts/.test(f.callFrame.url)],
  ["handler (users route, idempotency)", (f) => /users\/routes|idempotency/.test(f.callFrame.url)],
];
let from = 0,
  to = p.samples.length - 1;
if (window) {
  const on = (id: number) => stack(id).some((f) => f.callFrame.url.includes(window));
  from = p.samples.findIndex(on);
  to = p.samples.findLastIndex(on);
}
const counts = new Map<string, number>();
let total = 0;
for (let i = from; i <= to; i++) {
  const s = stack(p.samples[i] ?? 0);
  total++;
  let cat = "";
  // Middlewares wrap everything after them (await next()): their frames count only as the leaf
  // or right above a native leaf; library frames (pino, prom-client, valibot) count anywhere.
  const wrapper =
    /service-kit\/src\/(logger|metrics|auth|json-body|validate)\.ts|validator\/validator\.js|standard-validator|hono-openapi/;
  outer: for (const [d, f] of s.entries()) {
    if (
      wrapper.test(f.callFrame.url) &&
      d > 1 &&
      !["flushSync", "redactFields", "write", "routeOf"].includes(f.callFrame.functionName)
    )
      continue;
    for (const [name, test] of rules)
      if (test(f)) {
        cat = name;
        break outer;
      }
  }
  if (!cat) {
    const leaf = s[0];
    if (leaf && s.length <= 2 && !leaf.callFrame.url)
      cat = `native, no JS frame (${leaf.callFrame.functionName || "HTTP server, GC, idle"})`;
    else if (s.some((f: ProfileNode) => /hono|service-kit/.test(f.callFrame.url)))
      cat = "Hono: routing, middleware chain, context, response";
    else cat = "other";
  }
  counts.set(cat, (counts.get(cat) ?? 0) + 1);
}
console.log(`${total} samples`);
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]))
  console.log(`| ${k} | ${((100 * v) / total).toFixed(1)} |`);
