/**
 * `bun run erase --tenant t`: offboards a tenant. Reads what the tenant's stores hold (the
 * needles `--verify` looks for), asks user-service and task-service to erase it (operator
 * DELETE /admin/tenants/{t}; task-service consumes no events, so it is asked directly), then
 * follows each gateway's GET /admin/erasures/{t} until done, with a progress line, and prints
 * the report. `--user id` / `--task id` (with `--tenant`) erase one person or task instead.
 * `--verify --tenant t` searches every store for what is left; exit 1 when anything is.
 *
 * USER_SERVICE_URL (default http://127.0.0.1:3000), TASK_SERVICE_URL (…:3002), GATEWAY_URLS
 * (comma-separated, default GATEWAY_URL or …:3001), OPERATOR_TOKEN; for a subject, TENANT_TOKEN
 * (default the development token `<tenant>:erase`). Stores read directly: DATA_DIR (default
 * .data; DATA_DIRS: several, comma-separated), DATABASE_URL and TASK_DATABASE_URL, QDRANT_URL (QDRANT_API_KEY,
 * QDRANT_COLLECTION_PREFIX). Exit 0 done, 1 leftovers or not done in ERASE_TIMEOUT_MS, 2 a call
 * failed.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { collectNeedles, manifest } from "./erase/needles.ts";
import { type Stores, verifyTenant } from "./erase/verify.ts";

const { values } = parseArgs({
  options: {
    tenant: { type: "string" },
    user: { type: "string" },
    task: { type: "string" },
    verify: { type: "boolean", default: false },
  },
});
const tenant = values.tenant;
if (!tenant || !/^[a-z0-9-]{1,63}$/.test(tenant)) {
  console.error("--tenant <id> is required: 1–63 lowercase letters, digits or '-'");
  process.exit(2);
}
const env = process.env;
// Each service's DATA_DIR (they share `.data` under `bun run dev`); the first keeps the needles.
const dataDirs = (env.DATA_DIRS || env.DATA_DIR || ".data").split(",").map((dir) => resolve(dir));
const dataDir = dataDirs[0] ?? resolve(".data");
const stores: Stores = {
  dataDirs,
  databaseUrls: [env.DATABASE_URL, env.TASK_DATABASE_URL].filter((url): url is string => !!url),
  qdrant: env.QDRANT_URL
    ? { url: env.QDRANT_URL, apiKey: env.QDRANT_API_KEY, prefix: env.QDRANT_COLLECTION_PREFIX }
    : undefined,
};

if (values.verify) {
  const needles = manifest.read(dataDir, tenant) ?? { ids: [], texts: [] };
  if (needles.ids.length === 0)
    console.error(`no needles kept for ${tenant} (run the erase first): checking tenant rows only`);
  const left = await verifyTenant(tenant, needles, stores);
  for (const item of left) console.log(`LEFT ${item.store}: ${item.where}: ${item.what}`);
  if (left.length > 0) process.exit(1);
  manifest.remove(dataDir, tenant);
  console.log(`verified: nothing of ${tenant} is left in ${describe(stores)}`);
  process.exit(0);
}

const operator = env.OPERATOR_TOKEN;
if (!operator) {
  console.error("OPERATOR_TOKEN is not set: the erase routes need it");
  process.exit(2);
}
const userService = env.USER_SERVICE_URL ?? "http://127.0.0.1:3000";
const taskService = env.TASK_SERVICE_URL ?? "http://127.0.0.1:3002";
const gateways = (env.GATEWAY_URLS ?? env.GATEWAY_URL ?? "http://127.0.0.1:3001").split(",");
const timeoutMs = Number(env.ERASE_TIMEOUT_MS ?? 120_000);

async function call(method: string, url: string, token: string, tolerate = false) {
  try {
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
    const body: unknown = await response.json().catch(() => null);
    return { status: response.status, body, token: response.headers.get("x-mesh-token") };
  } catch (error) {
    // A gateway restarting mid-erase is waited for (its erase resumes); a producer is not.
    if (tolerate) return { status: 0, body: null, token: null };
    console.error(`cannot reach ${url}: ${String(error)}`);
    process.exit(2);
  }
}

if (values.user || values.task) {
  const [service, path, type] = values.user
    ? [userService, `/users/${encodeURIComponent(values.user)}`, "users"]
    : [taskService, `/tasks/${encodeURIComponent(values.task ?? "")}`, "tasks"];
  const token = env.TENANT_TOKEN ?? `${tenant}:erase`;
  const deleted = await call("DELETE", new URL(path, service).href, token);
  if (deleted.status !== 204 && deleted.status !== 200 && deleted.status !== 404) {
    console.error(`DELETE ${path} answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);
    process.exit(2);
  }
  // Read-your-writes: each gateway answers once it stored the delete (and erased what derived).
  for (const gateway of deleted.token ? gateways : []) {
    const url = new URL(`/search?q=erased&type=${type}`, gateway);
    url.searchParams.set("after", deleted.token ?? "");
    const seen = await call("GET", url.href, token);
    console.log(`${gateway}: delete ${seen.status === 200 ? "stored" : `answered ${seen.status}`}`);
  }
  console.log(
    JSON.stringify({ tenant, [type]: values.user ?? values.task, status: deleted.status }),
  );
  process.exit(0);
}

const needles = await collectNeedles(tenant, stores);
const kept = manifest.write(dataDir, tenant, needles);
console.error(`kept ${needles.ids.length} ids and ${needles.texts.length} texts in ${kept}`);
const report: Record<string, unknown> = {};
for (const [name, base] of [
  ["user-service", userService],
  ["task-service", taskService],
] as const) {
  const erased = await call("DELETE", new URL(`/admin/tenants/${tenant}`, base).href, operator);
  if (erased.status !== 200) {
    console.error(`${name}: DELETE /admin/tenants/${tenant} answered ${erased.status}`);
    process.exit(2);
  }
  report[name] = erased.body;
}
const started = Date.now();
// Replicas sharing a Qdrant: the one that read tenant.deleted erases and keeps the record; the
// others answer 404 with `sharedStore` and are done once one replica is.
const shared: string[] = [];
for (const gateway of gateways) {
  for (;;) {
    const url = new URL(`/admin/erasures/${tenant}`, gateway).href;
    const status = await call("GET", url, operator, true);
    const record = status.body as { state?: string; pending?: string[] } | null;
    const line =
      status.status === 0
        ? "unreachable, waiting"
        : status.status === 404
          ? "waiting for tenant.deleted"
          : `${record?.state}, pending ${record?.pending?.join(" ") || "none"}`;
    process.stderr.write(`\r${gateway}: ${line}`.padEnd(100));
    if (record?.state === "done") {
      report[gateway] = record;
      break;
    }
    const details = (status.body as { details?: { sharedStore?: boolean } } | null)?.details;
    if (status.status === 404 && details?.sharedStore) {
      shared.push(gateway);
      break;
    }
    if (Date.now() - started > timeoutMs) {
      console.error(`\n${gateway}: not done after ${timeoutMs} ms (ERASE_TIMEOUT_MS)`);
      console.log(JSON.stringify(report, null, 2));
      process.exit(1);
    }
    await Bun.sleep(250);
  }
  process.stderr.write("\n");
}
// A shared store is erased by one replica: wait until one of those polled reports it done.
const erasedSomewhere = () => gateways.some((gateway) => typeof report[gateway] === "object");
while (shared.length > 0 && !erasedSomewhere()) {
  for (const gateway of shared) {
    const url = new URL(`/admin/erasures/${tenant}`, gateway).href;
    const status = await call("GET", url, operator, true);
    if ((status.body as { state?: string } | null)?.state === "done") report[gateway] = status.body;
  }
  if (erasedSomewhere()) break;
  if (Date.now() - started > timeoutMs) {
    console.error(`no replica of the shared store finished after ${timeoutMs} ms`);
    process.exit(1);
  }
  await Bun.sleep(250);
}
for (const gateway of shared)
  report[gateway] ??= "shares the vector store of the replica that erased";
console.log(JSON.stringify(report, null, 2));
console.error(`erased ${tenant}; prove it with: bun run erase --verify --tenant ${tenant}`);

function describe(where: Stores): string {
  const parts = (where.dataDirs ?? []).map((dir) => `SQLite files of ${dir}`);
  parts.push(
    ...(where.databaseUrls ?? []).map((url) => `Postgres ${new URL(url).pathname.slice(1)}`),
  );
  if (where.qdrant) parts.push("Qdrant");
  return parts.filter(Boolean).join(", ");
}
