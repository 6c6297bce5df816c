import { expect, test } from "bun:test";
import { Hono } from "hono";
import { Gauge } from "prom-client";
import { createMetrics } from "./metrics.ts";

test("counts requests by method, route pattern and status, and exposes Prometheus text", async () => {
  const metrics = createMetrics();
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
  expect(text).toContain('http_requests_total{method="GET",route="/users/:id",status="200"} 2');
  expect(text).toContain('http_requests_total{method="GET",route="/users/:id",status="404"} 1');
  expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
  expect(text).toContain(
    'http_request_duration_seconds_count{method="GET",route="/users/:id",status="200"} 2',
  );
  expect(text).not.toContain("/users/2");
});

test("serves a service's own metrics from the same registry", async () => {
  const metrics = createMetrics();
  new Gauge({ name: "outbox_depth", help: "rows", registers: [metrics.registry] }).set(7);
  const app = new Hono();
  app.get("/metrics", metrics.handler);
  expect(await (await app.request("/metrics")).text()).toContain("outbox_depth 7");
});

test("adds process metrics on request", async () => {
  const metrics = createMetrics({ processMetrics: true });
  expect(await metrics.registry.metrics()).toContain("process_resident_memory_bytes");
});

test("process metrics leave out V8's heap spaces, whose collection walks Bun's whole heap", async () => {
  const metrics = createMetrics({ processMetrics: true });
  const text = await metrics.registry.metrics();
  expect(text).toContain("process_resident_memory_bytes");
  expect(text).toContain("nodejs_heap_size_used_bytes");
  expect(text).not.toContain("nodejs_heap_space_size");
});
