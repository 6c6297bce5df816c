// What a Prometheus user sees: every service's /metrics, scraped from real processes after some
// traffic, pass `promtool check metrics`; every metric a service defines carries its prefix; and
// the Grafana dashboard in docs/grafana names only metrics the services expose.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROCESS_METRICS } from "../service-kit/src/metrics.ts";
import { createUser, deleteUser, renameUser, search } from "./e2e/api.ts";
import { eventually, pointsReaching, type Running, startFullStack, stopAll } from "./e2e/stack.ts";
import { createTask } from "./e2e/task-api.ts";
import { kafkaBrokers } from "./kafka-broker.ts";
import { metricNamesOf, promtool, promtoolCheckQueries, promtoolTest } from "./promtool.ts";

const root = join(import.meta.dir, "..");
const scraped: Record<"user-service" | "task-service" | "ai-gateway", string> = {
  "user-service": "",
  "task-service": "",
  "ai-gateway": "",
};

/** One CloudEvent of `task.created` in structured JSON, at the given entity version. */
const task = (version: number) => ({
  specversion: "1.0",
  id: crypto.randomUUID(),
  source: "urn:metrics-test",
  type: "task.created",
  time: new Date().toISOString(),
  tenantid: "tenant-m",
  entityversion: version,
  data: { id: "t-1", tenantId: "tenant-m", title: "Scrape", description: "", status: "open" },
});

async function ingest(gateway: Running, token: string, body: unknown): Promise<number> {
  const response = await fetch(`${gateway.url}/events`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/cloudevents-batch+json",
    },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

// On Kafka when a broker is there (always in CI), so that the consumer lag has samples too.
const brokers = await kafkaBrokers();

beforeAll(async () => {
  const { config, gateway, users, tasks } = await startFullStack(brokers ?? undefined);
  // Traffic that gives the counters and histograms samples: writes relayed to the gateway, a
  // search, a 404, a stale write (version 1 after 2) and a dead letter.
  const alice = await createUser(users.url, "tenant-m", { name: "Alice M", email: "alice@m.dev" });
  const bob = await createUser(users.url, "tenant-m", { name: "Bob M", email: "bob@m.dev" });
  await renameUser(users.url, "tenant-m", alice.id, "Alice Renamed");
  await deleteUser(users.url, "tenant-m", bob.id);
  await pointsReaching(gateway.url, "tenant-m", 1, 60_000, () => "");
  await createTask(tasks.url, "tenant-m", { title: "Scrape the task-service", assignee: alice.id });
  await pointsReaching(gateway.url, "tenant-m", 1, 60_000, () => "", "tasks");
  await search(gateway.url, "tenant-m", "alice");
  await fetch(`${users.url}/users/nobody`, { headers: { authorization: "Bearer tenant-m:u" } });
  expect(await ingest(gateway, config.ingestToken, [task(2)])).toBe(200);
  await ingest(gateway, config.ingestToken, [task(1)]);
  await ingest(gateway, config.ingestToken, [{ ...task(3), type: "no.such.type" }]);
  if (brokers)
    await eventually("a consumer lag sample", async () =>
      (await (await fetch(`${gateway.url}/metrics`)).text()).includes(
        "ai_gateway_consumer_lag_messages{",
      )
        ? true
        : undefined,
    );
  for (const [name, service] of [
    ["user-service", users],
    ["task-service", tasks],
    ["ai-gateway", gateway],
  ] as const)
    scraped[name] = await (await fetch(`${service.url}/metrics`)).text();
}, 120_000);

afterAll(stopAll);

const namespaces = {
  "user-service": "user_service_",
  "task-service": "task_service_",
  "ai-gateway": "ai_gateway_",
} as const;

describe("/metrics of every service", () => {
  for (const name of ["user-service", "task-service", "ai-gateway"] as const) {
    promtoolTest(`${name}: promtool check metrics finds nothing to complain about`, async () => {
      const { exitCode, output } = await promtool(scraped[name]);
      expect(output).toBe("");
      expect(exitCode).toBe(0);
    });

    test(`${name}: every metric it defines starts with ${namespaces[name]}, the rest are the true process metrics`, () => {
      const names = metricNamesOf(scraped[name]);
      const process: readonly string[] = PROCESS_METRICS;
      expect(names.filter((metric) => !metric.startsWith(namespaces[name]))).toEqual(
        [...PROCESS_METRICS].sort(),
      );
      expect(names.filter((metric) => process.includes(metric)).length).toBe(process.length);
      expect(scraped[name]).not.toContain("process_heap_bytes");
    });
  }

  test("carry samples of the traffic: published events, outbox, stale writes, dead letters, search", () => {
    const users = scraped["user-service"];
    const gateway = scraped["ai-gateway"];
    expect(users).toMatch(/^user_service_events_published_total [1-9]/m);
    expect(users).toMatch(/^user_service_outbox_depth_events 0$/m);
    expect(users).toMatch(
      /^user_service_http_requests_total\{method="GET",route="\/users\/:id",status="404"\} 1$/m,
    );
    expect(scraped["task-service"]).toMatch(/^task_service_events_published_total [1-9]/m);
    expect(gateway).toMatch(/^ai_gateway_stale_writes_total\{collection="tasks"\} 1$/m);
    expect(gateway).toMatch(/^ai_gateway_dead_letters_total\{code="[a-z_]+",source="http"\} 1$/m);
    expect(gateway).toMatch(/^ai_gateway_search_seconds_count\{collection="users"\} 1$/m);
    expect(gateway).toMatch(/^ai_gateway_batch_size_messages_count [1-9]/m);
    if (brokers)
      expect(gateway).toMatch(
        /^ai_gateway_consumer_lag_messages\{topic="[^"]+",partition="\d+"\} \d+$/m,
      );
  });
});

describe("docs/grafana/event-mesh.json", () => {
  const dashboard = JSON.parse(readFileSync(join(root, "docs/grafana/event-mesh.json"), "utf8"));
  const panels: { type: string; title: string; targets?: { expr: string }[] }[] = dashboard.panels;
  const expressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

  test("imports as is: schema version, a DS_PROMETHEUS input, every panel on that datasource", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: "DS_PROMETHEUS",
        type: "datasource",
        pluginId: "prometheus",
      }),
    ]);
    for (const panel of panels.filter((each) => each.type !== "row"))
      expect(JSON.stringify(panel)).toContain(`"uid":"$\{DS_PROMETHEUS}"`);
    const titles = panels.map((panel) => panel.title).join(" | ");
    for (const topic of [
      "Events indexed",
      "Consumer lag",
      "Freshness",
      "Outbox depth",
      "Server errors",
    ])
      expect(titles).toContain(topic);
  });

  test("every metric in its expressions is one the services expose", () => {
    const exposed = new Set(
      [...metricNamesOf(scraped["user-service"]), ...metricNamesOf(scraped["ai-gateway"])].flatMap(
        (name) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`],
      ),
    );
    const used = [...new Set(expressions.flatMap(metricsInExpression))];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !exposed.has(name))).toEqual([]);
  });

  promtoolTest("every expression is valid PromQL (promtool check rules)", async () => {
    const { exitCode, output } = await promtoolCheckQueries(expressions);
    expect(output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(exitCode).toBe(0);
  });

  test("the metric finder sees names inside functions and skips labels, keywords and strings", () => {
    expect(
      metricsInExpression(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_b_bucket{status=~"5.."}[$__rate_interval]))) / on (job) c_total',
      ),
    ).toEqual(["a_b_bucket", "c_total"]);
  });
});

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
]);

/** The metric names a PromQL expression reads: identifiers that are not functions, labels or keywords. */
function metricsInExpression(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\(|[a-zA-Z0-9_:])/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word));
}
