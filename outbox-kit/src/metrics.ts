import { Counter, Gauge, type Registry } from "@event-mesh/service-kit";
import type { Outbox } from "./outbox.ts";

/** Prefix of every user-service metric (see createMetrics' namespace). */
export const NAMESPACE = "user_service";

/** The relay's counters; the outbox gauges are read from the store at each scrape. */
export interface RelayMetrics {
  published: Counter;
  publishErrors: Counter;
  stepErrors: Counter<"step">;
}

/** Registers the outbox and relay metrics on the service's registry. */
export function registerRelayMetrics(registry: Registry, outbox: Outbox): RelayMetrics {
  new Gauge({
    name: "user_service_outbox_depth_events",
    help: "Events written but not yet acknowledged by the sink.",
    registers: [registry],
    async collect() {
      // A store that is down keeps the last value: /metrics must answer while it is down.
      const depth = await outbox.depth().catch(() => undefined);
      if (depth) this.set(depth.count);
    },
  });
  new Gauge({
    name: "user_service_outbox_oldest_age_seconds",
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
    name: "outbox_shards_held",
    help: "Outbox shards this relay sends (Postgres: its share of all relays; SQLite: 1).",
    registers: [registry],
    collect() {
      this.set(outbox.shardsHeld?.() ?? 1);
    },
  });
  return {
    published: new Counter({
      name: "user_service_events_published_total",
      help: "Events acknowledged by the sink.",
      registers: [registry],
    }),
    publishErrors: new Counter({
      name: "user_service_event_publish_errors_total",
      help: "Failed sink calls (each is retried).",
      registers: [registry],
    }),
    stepErrors: new Counter({
      name: "relay_step_errors_total",
      help: "Failed relay steps (peek, send, remove, wait); each is retried.",
      labelNames: ["step"],
      registers: [registry],
    }),
  };
}
