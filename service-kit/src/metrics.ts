import type { Handler, MiddlewareHandler } from "hono";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { routeOf } from "./logger.ts";

/** prom-client's metric classes, so services register their own without another dependency. */
export { Counter, Gauge, Histogram, Registry } from "prom-client";

const HEAP_SPACE_METRICS = [
  "nodejs_heap_space_size_total_bytes",
  "nodejs_heap_space_size_used_bytes",
  "nodejs_heap_space_size_available_bytes",
];

/** A service's metrics: one registry, the HTTP middleware and the `/metrics` handler. */
export interface Metrics {
  /** Register the service's own metrics here (`registers: [metrics.registry]`). */
  registry: Registry;
  /** Counts requests and observes their latency by method, route pattern and status. */
  middleware: MiddlewareHandler;
  /** Serves the Prometheus text exposition. */
  handler: Handler;
}

/** Metrics options. */
export interface MetricsOptions {
  /** Also collect process metrics (CPU, memory, event loop). Default false. */
  processMetrics?: boolean | undefined;
}

/** Creates a registry with the HTTP request metrics every service has. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    // On Bun, v8.getHeapSpaceStatistics() walks the whole JavaScriptCore heap (about 70 ms with
    // two million objects), and its per-space figures are V8's, meaningless here: each scrape
    // stalled the event loop. process.memoryUsage() still feeds the heap and RSS metrics.
    if (process.versions.bun)
      for (const name of HEAP_SPACE_METRICS) registry.removeSingleMetric(name);
  }
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method, route pattern and status.",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return {
    registry,
    middleware: async function countRequest(c, next) {
      const started = performance.now();
      await next();
      const labels = { method: c.req.method, route: routeOf(c), status: String(c.res.status) };
      requests.inc(labels);
      latency.observe(labels, (performance.now() - started) / 1000);
    },
    handler: async function serveMetrics(c) {
      return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
    },
  };
}
