import type { EventType } from "./events.ts";
import { EVENT_REGISTRY, type Registry } from "./registry.ts";

/** A topic of the catalog: `<entity>.events`. */
export type Topic = `${string}.events`;

/** The topic an event type is published to, from its entity: `user.created` → `user.events`. */
export function topicFor(
  type: EventType | (string & {}),
  registry: Registry = EVENT_REGISTRY,
): Topic {
  const spec = registry[type];
  if (!spec) throw new Error(`unknown event type "${type}"`);
  return `${spec.entity}.events`;
}

/** Every topic of a registry, in order of first mention. */
export function topicsOf(registry: Registry = EVENT_REGISTRY): Topic[] {
  return [...new Set(Object.keys(registry).map((type) => topicFor(type, registry)))];
}

/** Every topic of the catalog. */
export const TOPICS: readonly Topic[] = topicsOf();

/** The topics the ai-gateway consumes: those with an event type it indexes or records. */
export function gatewayTopics(registry: Registry = EVENT_REGISTRY): Topic[] {
  return topicsOf(registry).filter((topic) =>
    Object.keys(registry).some(
      (type) => topicFor(type, registry) === topic && registry[type]?.gateway.action !== "ignore",
    ),
  );
}

/** The dead-letter topic of a topic: `user.events` → `user.events.dlq`. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** The partition key of an entity, `<tenantId>/<entityId>`, so one entity's events stay in order. */
export function partitionKey(tenantId: string, entityId: string | number): string {
  return `${tenantId}/${entityId}`;
}
