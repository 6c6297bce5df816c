import { type JsonSchema, toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { REQUEST_SCHEMA_OPTIONS } from "./json-schema.ts";

/**
 * Bytes a JSON text may spend on one string character: a client that escapes non-ASCII (Python's
 * `json.dumps` does by default) writes each UTF-16 unit as `\uXXXX`, so a surrogate pair is 12.
 */
const ESCAPED_UNIT_BYTES = 6;
/** The longest JSON number a safe integer or a double needs: `-1.7976931348623157e+308`. */
const NUMBER_BYTES = 24;

const obj = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Longest JSON text of a literal value, every string character escaped. */
function literalBytes(value: unknown): number {
  if (typeof value === "string") return 2 + ESCAPED_UNIT_BYTES * value.length;
  return JSON.stringify(value)?.length ?? 4;
}

/** One character class repeated at most n times, the whole string: `^[a-z0-9-]{1,63}$`. */
const BOUNDED_CLASS = /^\^\[(?:[^\]\\]|\\.)+\]\{\d+,(\d+)\}\$$/;

/** The length a pattern of the form `^[class]{m,n}$` bounds a string to; else undefined. */
function patternMaxLength(pattern: unknown): number | undefined {
  const match = typeof pattern === "string" ? BOUNDED_CLASS.exec(pattern) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * The most bytes a compact JSON text valid under `schema` can take, with every string character
 * escaped; `Infinity` where the schema sets no bound (a string without `maxLength`, an array
 * without `maxItems`, an object open to more keys).
 */
export function worstCaseBytes(schema: JsonSchema | boolean): number {
  if (typeof schema === "boolean" || !obj(schema)) return Number.POSITIVE_INFINITY;
  if ("const" in schema) return literalBytes(schema.const);
  if (Array.isArray(schema.enum)) return Math.max(...schema.enum.map(literalBytes));
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options)) return Math.max(...options.map(worstCaseBytes));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return Math.max(...types.map((type) => typeBytes(schema, type)));
}

function typeBytes(schema: JsonSchema, type: unknown): number {
  switch (type) {
    case "null":
      return 4;
    case "boolean":
      return 5;
    case "integer":
    case "number":
      return NUMBER_BYTES;
    case "string": {
      const max = schema.maxLength ?? patternMaxLength(schema.pattern);
      return max === undefined ? Number.POSITIVE_INFINITY : 2 + ESCAPED_UNIT_BYTES * max;
    }
    case "array": {
      const items = schema.items;
      if (typeof schema.maxItems !== "number" || !obj(items)) return Number.POSITIVE_INFINITY;
      return 2 + schema.maxItems * (worstCaseBytes(items as JsonSchema) + 1);
    }
    case "object": {
      if (schema.additionalProperties !== false || !obj(schema.properties)) {
        return Number.POSITIVE_INFINITY;
      }
      // `{`, `}`, and per property its quoted escaped key, `:`, its value and a `,`.
      let total = 2;
      for (const [key, inner] of Object.entries(schema.properties)) {
        total += literalBytes(key) + 2 + worstCaseBytes(inner as JsonSchema);
      }
      return total;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * Room for formatting on top of the compact worst case: JSON allows whitespace between tokens,
 * and clients indent (`json.dumps(indent=4)`, `JSON.stringify(x, null, 2)`).
 */
export const FORMATTING_ALLOWANCE_BYTES = 1024;

/**
 * The body limit a route with this JSON body schema needs: its escaped worst case plus room for
 * formatting, never below `floor`. Throws for a schema without a bound: such a route must set
 * `maxBytes` itself, or a valid body could be refused as too large.
 */
export function bodyLimitFor(schema: v.GenericSchema, floor: number): number {
  const worst = worstCaseBytes(toJsonSchema(schema, REQUEST_SCHEMA_OPTIONS.options));
  if (!Number.isFinite(worst)) {
    throw new Error("this JSON body schema sets no length bound on some field; pass maxBytes");
  }
  return Math.max(floor, worst + FORMATTING_ALLOWANCE_BYTES);
}
