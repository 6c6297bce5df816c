import { expect, test } from "bun:test";
import { Hono } from "hono";
import { Gauge } from "prom-client";
import { createMetrics, PROCESS_METRICS } from "./metrics.ts";

test("counts requests by method, route pattern and status, and exposes Prometheus text", async () => {
  const metrics = createMetrics({ namespace: "svc" });
  const app = new Hono();
  app.use(metrics.middleware);
  app.get("/metrics", metrics.handler);
  app.get("/users/:id", (c) => (c.req.param("id") === "1" ? c.json({}) : c.json({}, 404)));
  await app.request("/users/1");
  await app.request("/users/1");
  await app.request("/users/2");
  await app.request("/nowhere");

  const response = await app.request("/metrics");
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();
  expect(text).toContain('svc_http_requests_total{method="GET",route="/users/:id",status="200"} 2');
  expect(text).toContain('svc_http_requests_total{method="GET",route="/users/:id",status="404"} 1');
  expect(text).toContain('svc_http_requests_total{method="GET",route="unmatched",status="404"} 1');
  expect(text).toContain(
    'svc_http_request_duration_seconds_count{method="GET",route="/users/:id",status="200"} 2',
  );
  expect(text).not.toContain("/users/2");
});

test("serves a service's own metrics from the same registry", async () => {
  const metrics = createMetrics({ namespace: "svc" });
  new Gauge({ name: "svc_outbox_depth_events", help: "rows", registers: [metrics.registry] }).set(
    7,
  );
  const app = new Hono();
  app.get("/metrics", metrics.handler);
  expect(await (await app.request("/metrics")).text()).toContain("svc_outbox_depth_events 7");
});

test("prefixes the HTTP metrics with the service's namespace and refuses a name Prometheus would not", () => {
  expect(() => createMetrics({ namespace: "ai-gateway" })).toThrow(/snake_case/);
  const names = createMetrics({ namespace: "ai_gateway" })
    .registry.getMetricsAsArray()
    .map((metric) => metric.name);
  expect(names.sort()).toEqual([
    "ai_gateway_http_request_duration_seconds",
    "ai_gateway_http_requests_total",
  ]);
});

test("process metrics are only those true on Bun: no 6.5 GB VmData heap, no empty GC histogram", async () => {
  const metrics = createMetrics({ namespace: "svc", processMetrics: true });
  const text = await metrics.registry.metrics();
  const names = metrics.registry.getMetricsAsArray().map((metric) => metric.name);
  expect(names.filter((name) => !name.startsWith("svc_")).sort()).toEqual(
    [...PROCESS_METRICS].sort(),
  );
  for (const gone of [
    "process_heap_bytes",
    "process_virtual_memory_bytes",
    "nodejs_gc_duration_seconds",
    "nodejs_heap_space_size",
    "nodejs_active_handles",
    "nodejs_version_info",
  ])
    expect(text).not.toContain(gone);
  const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  expect(rss).toBeGreaterThan(1_000_000);
  const started = Number(/^process_start_time_seconds (\S+)$/m.exec(text)?.[1]);
  expect(Math.abs(started - (Date.now() / 1000 - process.uptime()))).toBeLessThan(5);
  expect(Number(/^process_open_fds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
});

test("the request count keeps growing between scrapes and is never counted twice", async () => {
  const metrics = createMetrics({ namespace: "svc" });
  const app = new Hono();
  app.use(metrics.middleware);
  app.get("/metrics", metrics.handler);
  app.get("/ping", (c) => c.json({}));
  const count = async () => {
    const text = await (await app.request("/metrics")).text();
    return text.match(
      /^svc_http_requests_total\{method="GET",route="\/ping",status="200"\} (\d+)$/m,
    )?.[1];
  };
  await app.request("/ping");
  expect(await count()).toBe("1");
  expect(await count()).toBe("1");
  await app.request("/ping");
  await app.request("/ping");
  expect(await count()).toBe("3");
});
