import { EVENT_REGISTRY, type Registry } from "@event-mesh/contracts";

/** A collection and the producer whose entities it mirrors. */
export interface ReconcileTarget {
  collection: string;
  /** The producer named by the registry's rules; null when no service produces it yet. */
  producer: string | null;
}

/**
 * What to reconcile, from the event registry: each collection the gateway writes to, with the
 * producer of the events that write it. No collection or producer is named here.
 */
export function reconcileTargets(registry: Registry = EVENT_REGISTRY): ReconcileTarget[] {
  const targets = new Map<string, string | null>();
  for (const spec of Object.values(registry)) {
    const rule = spec.gateway;
    if (rule.action !== "upsert" && rule.action !== "delete") continue;
    if (!targets.get(rule.collection)) targets.set(rule.collection, spec.producer);
  }
  return [...targets].map(([collection, producer]) => ({ collection, producer }));
}
