import { type AnyMeshEvent, decode, EVENT_REGISTRY, type Registry } from "@event-mesh/contracts";
import type { DeadLetter } from "../dead-letters/index.ts";
import type { Incoming } from "./pipeline-deps.ts";

/** A decoded event and the item it came in as (kept to dead-letter it later, byte for byte). */
export interface Decoded {
  event: AnyMeshEvent;
  source: Incoming["source"];
  item: Incoming;
}

/** Splits a batch into valid events and dead letters of what cannot be decoded. */
export function decodeItems(
  items: readonly Incoming[],
  topicPrefix: string,
  registry: Registry | undefined = EVENT_REGISTRY,
): { events: Decoded[]; letters: DeadLetter[] } {
  const events: Decoded[] = [];
  const letters: DeadLetter[] = [];
  for (const item of items) {
    const result =
      item.source === "http" ? item.result : decode(item.message, { topicPrefix, registry });
    if (result.ok) events.push({ event: result.event, source: item.source, item });
    else letters.push(letterOf(item, result.error.code, result.error.message));
  }
  return { events, letters };
}

/** The dead letter of `item`: where it came from, the original bytes, and why. */
export function letterOf(item: Incoming, code: string, reason: string): DeadLetter {
  if (item.source === "http") return { source: "http", code, reason, value: item.raw, headers: [] };
  const { message } = item;
  return {
    source: "kafka",
    code,
    reason,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: [...message.headers.entries()].map(([name, value]) => [name.toString("utf8"), value]),
  };
}
