// What the gateway reads from a registry: its collections, filter fields and texts.
import type { Registry } from "./event-rules.ts";
import { EVENT_REGISTRY } from "./registry.ts";

/** The vector collections the registry's rules write to, in order of first mention. */
export function collectionsOf(registry: Registry = EVENT_REGISTRY): string[] {
  const collections = Object.values(registry).flatMap(({ gateway }) =>
    gateway.action === "upsert" || gateway.action === "delete" ? [gateway.collection] : [],
  );
  return [...new Set(collections)];
}

/**
 * The fields `/search` can filter on, per collection: those the upsert rules declare. A
 * collection whose rules declare none has an empty list.
 */
export function filterFieldsOf(registry: Registry = EVENT_REGISTRY): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const { gateway } of Object.values(registry)) {
    if (gateway.action !== "upsert" && gateway.action !== "delete") continue;
    const known = fields.get(gateway.collection) ?? [];
    const declared = gateway.action === "upsert" ? (gateway.filters ?? []) : [];
    fields.set(gateway.collection, [...new Set([...known, ...declared])]);
  }
  return fields;
}

/**
 * The text an entity of each collection is embedded and found by, computed from its stored data
 * (the collection's first upsert rule): what a reranker reads beside the query.
 */
export function textOfCollections(
  registry: Registry = EVENT_REGISTRY,
): Map<string, (data: Record<string, unknown>) => string> {
  const texts = new Map<string, (data: Record<string, unknown>) => string>();
  for (const { gateway } of Object.values(registry)) {
    if (gateway.action !== "upsert" || texts.has(gateway.collection)) continue;
    // Stored data is the validated data of an upsert event of this collection.
    const text = gateway.text as unknown as (data: Record<string, unknown>) => string;
    texts.set(gateway.collection, text);
  }
  return texts;
}

/**
 * The values of an upsert rule's filter fields in `data`, as strings (a numeric id `7` and the
 * query `assignee:7` then match). A field that is absent, null or not a scalar is left out.
 */
export function filterValuesOf(
  fields: readonly string[] | undefined,
  data: Record<string, unknown>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields ?? []) {
    const value = data[field];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      values[field] = String(value);
  }
  return values;
}
