/**
 * `bun run reconcile [--tenant t] [--repair]`: asks the ai-gateway (GATEWAY_URL, default
 * http://127.0.0.1:3001) to compare its vector store with the producers, with OPERATOR_TOKEN,
 * and prints the report. Exit code 0 when no drift was found (or it was repaired), 1 on drift
 * without --repair, 2 when the call failed.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { tenant: { type: "string" }, repair: { type: "boolean", default: false } },
});
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:3001";
const token = process.env.OPERATOR_TOKEN;
if (!token) {
  console.error("OPERATOR_TOKEN is not set: the gateway's /admin/reconcile needs it");
  process.exit(2);
}
const body = { repair: values.repair, ...(values.tenant ? { tenant: values.tenant } : {}) };
let response: Response;
try {
  response = await fetch(new URL("/admin/reconcile", gateway), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
} catch (error) {
  console.error(`cannot reach the gateway at ${gateway}: ${String(error)}`);
  process.exit(2);
}
const report: unknown = await response.json().catch(() => null);
if (!response.ok) {
  console.error(`POST /admin/reconcile answered ${response.status}: ${JSON.stringify(report)}`);
  process.exit(2);
}
console.log(JSON.stringify(report, null, 2));
// A collection the gateway could not compare (store or source failing) is not "no drift".
const skipped = (report as { skipped?: { collection: string; reason: string }[] }).skipped ?? [];
const failed = skipped.filter((s) => !s.reason.startsWith("no source URL"));
for (const s of skipped) console.error(`not compared: ${s.collection}: ${s.reason}`);
if (failed.length > 0) process.exit(2);
const kinds = ["missing", "stale", "orphaned", "ahead"];
const collections = Object.values(
  (report as { collections?: Record<string, Record<string, { count?: number }>> }).collections ??
    {},
);
const drift = collections.reduce(
  (sum, c) => sum + kinds.reduce((s, k) => s + (c[k]?.count ?? 0), 0),
  0,
);
console.error(
  drift === 0
    ? "no drift"
    : `${drift} drifted entities${values.repair ? " (repair requested: run again to confirm)" : ""}`,
);
process.exit(drift > 0 && !values.repair ? 1 : 0);
