import { type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import { EVENT_SCHEMAS, EVENT_TYPES, type EventType } from "./events.ts";

/** The JSON Schema (draft-07) of the data of one event type, generated from its valibot schema. */
export function eventDataJsonSchema(type: EventType): JsonSchema {
  const { $schema: _, ...schema } = toJsonSchema(EVENT_SCHEMAS[type], { errorMode: "throw" });
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: `https://event-mesh.dev/schemas/${type}.json`,
    title: type,
    ...schema,
  };
}

/** JSON Schema of every event type's data, keyed by type. */
export function allEventDataJsonSchemas(): Record<EventType, JsonSchema> {
  return Object.fromEntries(EVENT_TYPES.map((type) => [type, eventDataJsonSchema(type)])) as Record<
    EventType,
    JsonSchema
  >;
}
