import type { Handler, MiddlewareHandler } from "hono";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { documented } from "./docs.ts";
import { routeOf } from "./logger.ts";

/** prom-client's metric classes, so services register their own without another dependency. */
export { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The default metrics of prom-client that tell the truth on Bun (checked on Bun 1.4.5): CPU
 * time, start time, resident memory and file descriptors come from process.cpuUsage() and
 * /proc, and the event-loop delay from perf_hooks, which Bun implements. Left out:
 * `process_heap_bytes` (VmData, where JavaScriptCore's address-space reservation shows as
 * 6.5 GB while RSS is under 100 MB), `process_virtual_memory_bytes` (the same reservation),
 * `nodejs_heap_space_*` (V8's spaces; collecting them walks Bun's whole heap, about 70 ms per
 * scrape), `nodejs_heap_size_*` and `nodejs_external_memory_bytes` (JavaScriptCore fills
 * them differently from V8), `nodejs_active_*` (always 0 on Bun), `nodejs_gc_duration_seconds`
 * (never observed: Bun reports no GC entries) and `nodejs_version_info` (Bun's Node version).
 * An allow-list, so that a newer prom-client's additions stay out until checked.
 */
export const PROCESS_METRICS = [
  "process_cpu_user_seconds_total",
  "process_cpu_system_seconds_total",
  "process_cpu_seconds_total",
  "process_start_time_seconds",
  "process_resident_memory_bytes",
  "process_open_fds",
  "process_max_fds",
  "nodejs_eventloop_lag_seconds",
  "nodejs_eventloop_lag_min_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_eventloop_lag_mean_seconds",
  "nodejs_eventloop_lag_stddev_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
] as const;

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
  /**
   * The service's name in snake_case (`user_service`, `ai_gateway`): the prefix of every metric
   * the service defines, the HTTP ones included, so that two services never share a name.
   * Only the standard process metrics keep their usual names, which dashboards already know.
   */
  namespace: string;
  /** Also collect the process metrics of PROCESS_METRICS. Default false. */
  processMetrics?: boolean | undefined;
}

/** Creates a registry with the HTTP request metrics every service has. */
export function createMetrics(options: MetricsOptions): Metrics {
  if (!/^[a-z][a-z0-9_]*$/.test(options.namespace))
    throw new Error(`metrics namespace must be snake_case, got "${options.namespace}"`);
  const registry = new Registry();
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    const kept: readonly string[] = PROCESS_METRICS;
    for (const metric of registry.getMetricsAsArray())
      if (!kept.includes(metric.name)) registry.removeSingleMetric(metric.name);
  }
  const labelNames = ["method", "route", "status"] as const;
  const latency = new Histogram({
    name: `${options.namespace}_http_request_duration_seconds`,
    help: "Time to answer HTTP requests, by method, route pattern and status.",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // The request count is the histogram's own `_count`, copied at each scrape: counting it on
  // every request as well cost as much as the observation (bench:http).
  new Counter({
    name: `${options.namespace}_http_requests_total`,
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const sample of (await latency.get()).values) {
        if (sample.metricName?.endsWith("_count")) this.inc(sample.labels, sample.value);
      }
    },
  });

  return {
    registry,
    middleware: async function countRequest(c, next) {
      const started = performance.now();
      await next();
      const labels = { method: c.req.method, route: routeOf(c), status: String(c.res.status) };
      latency.observe(labels, (performance.now() - started) / 1000);
    },
    handler: documented(
      async function serveMetrics(c) {
        return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
      } satisfies Handler,
      {
        tags: ["ops"],
        summary: "Prometheus metrics",
        responses: {
          200: {
            description: "Prometheus text exposition",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    ),
  };
}
