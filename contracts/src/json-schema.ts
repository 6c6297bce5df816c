import { type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import type { EventType } from "./events.ts";
import { EVENT_REGISTRY, type Registry } from "./registry.ts";

/** The JSON Schema (draft-07) of the data of one event type, generated from its valibot schema. */
export function eventDataJsonSchema(
  type: EventType | (string & {}),
  registry: Registry = EVENT_REGISTRY,
): JsonSchema {
  const spec = registry[type];
  if (!spec) throw new Error(`unknown event type "${type}"`);
  const { $schema: _, ...schema } =
    (spec.jsonSchema as JsonSchema | undefined) ??
    toJsonSchema(spec.schema, { errorMode: "throw" });
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: `https://event-mesh.dev/schemas/${type}.json`,
    title: type,
    ...schema,
  };
}

/** JSON Schema of every event type's data, keyed by type. */
export function allEventDataJsonSchemas(
  registry: Registry = EVENT_REGISTRY,
): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.keys(registry).map((type) => [type, eventDataJsonSchema(type, registry)]),
  );
}
