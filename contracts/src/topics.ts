import type { EventType } from "./events.ts";

/** Every topic of the catalog: `<entity>.events`. */
export const TOPICS = ["user.events", "tenant.events", "task.events", "billing.events"] as const;

/** A topic of the catalog. */
export type Topic = (typeof TOPICS)[number];

/** The topic an event type is published to: `user.created` → `user.events`. */
export function topicFor(type: EventType): Topic {
  const entity = type.slice(0, type.indexOf("."));
  return `${entity}.events` as Topic;
}

/** The dead-letter topic of a topic: `user.events` → `user.events.dlq`. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** The partition key of an entity, `<tenantId>/<entityId>`, so one entity's events stay in order. */
export function partitionKey(tenantId: string, entityId: string | number): string {
  return `${tenantId}/${entityId}`;
}
