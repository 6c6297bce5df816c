import { Counter, Gauge, type Registry } from "@event-mesh/service-kit";
import type { Outbox } from "./outbox.ts";

/** The relay's counters; the outbox gauges are read from the store at each scrape. */
export interface RelayMetrics {
  published: Counter;
  publishErrors: Counter;
  stepErrors: Counter<"step">;
}

/**
 * Registers the outbox and relay metrics on the producer's registry, named after its metrics
 * namespace like the rest of its metrics (`user_service` → `user_service_outbox_depth_events`).
 */
export function registerRelayMetrics(
  registry: Registry,
  outbox: Outbox,
  namespace: string,
): RelayMetrics {
  new Gauge({
    name: `${namespace}_outbox_depth_events`,
    help: "Events written but not yet acknowledged by the sink.",
    registers: [registry],
    async collect() {
      // A store that is down keeps the last value: /metrics must answer while it is down.
      const depth = await outbox.depth().catch(() => undefined);
      if (depth) this.set(depth.count);
    },
  });
  new Gauge({
    name: `${namespace}_outbox_oldest_age_seconds`,
    help: "Age of the oldest event waiting in the outbox; 0 when empty.",
    registers: [registry],
    async collect() {
      const depth = await outbox.depth().catch(() => undefined);
      if (!depth) return;
      const { oldestAt } = depth;
      this.set(oldestAt === undefined ? 0 : Math.max(0, (Date.now() - oldestAt) / 1000));
    },
  });
  new Gauge({
    name: `${namespace}_outbox_shards_held`,
    help: "Outbox shards this relay sends (Postgres: its share of all relays; SQLite: 1).",
    registers: [registry],
    collect() {
      this.set(outbox.shardsHeld?.() ?? 1);
    },
  });
  return {
    published: new Counter({
      name: `${namespace}_events_published_total`,
      help: "Events acknowledged by the sink.",
      registers: [registry],
    }),
    publishErrors: new Counter({
      name: `${namespace}_event_publish_errors_total`,
      help: "Failed sink calls (each is retried).",
      registers: [registry],
    }),
    stepErrors: new Counter({
      name: `${namespace}_relay_step_errors_total`,
      help: "Failed relay steps (peek, send, remove, wait); each is retried.",
      labelNames: ["step"],
      registers: [registry],
    }),
  };
}
