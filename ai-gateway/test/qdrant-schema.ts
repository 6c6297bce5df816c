import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * Qdrant's published REST schema, found beside the repository (`../shared/qdrant/openapi.json`
 * from the repository root), never copied into it. `null` when it is absent, or an error
 * with REQUIRE_QDRANT_SCHEMA=1.
 */
export const QDRANT_OPENAPI_PATH = resolve(
  import.meta.dir,
  "../..",
  "../shared/qdrant/openapi.json",
);

/** Validators of one operation of the schema. */
export interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  query: Map<string, ValidateFunction>;
  body: ValidateFunction | null;
  ok: ValidateFunction | null;
}

/** The operations of Qdrant's OpenAPI document, compiled with ajv. */
export class QdrantSchema {
  readonly operations: Operation[] = [];

  static load(path = QDRANT_OPENAPI_PATH): QdrantSchema | null {
    if (!existsSync(path)) {
      // CI has shared/ beside the clone: there a missing schema is a failure, not a skip.
      if (process.env.REQUIRE_QDRANT_SCHEMA === "1") {
        throw new Error(`REQUIRE_QDRANT_SCHEMA=1 but ${path} is missing`);
      }
      return null;
    }
    return new QdrantSchema(JSON.parse(readFileSync(path, "utf8")));
  }

  constructor(document: {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components: unknown;
  }) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // Qdrant's numeric formats; the ranges come from `minimum` beside them in the schema.
    for (const name of ["uint", "uint8", "uint16", "uint32", "uint64", "int32", "int64"]) {
      ajv.addFormat(name, { type: "number", validate: (n: number) => Number.isInteger(n) });
    }
    for (const name of ["float", "double"])
      ajv.addFormat(name, { type: "number", validate: () => true });
    // A time without a zone; the double never sends one, so accepting any string is enough.
    ajv.addFormat("partial-date-time", true);
    ajv.addSchema({ $id: "qdrant", components: toJsonSchema(document.components) });
    const compile = (schema: unknown) => {
      const converted = rebase(toJsonSchema(schema));
      return ajv.compile(typeof converted === "object" && converted !== null ? converted : {});
    };
    for (const [template, methods] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const [method, op] of Object.entries(methods)) {
        const query = new Map<string, ValidateFunction>();
        for (const parameter of op.parameters ?? []) {
          if (parameter.in === "query") query.set(parameter.name, compile(parameter.schema));
        }
        const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
        const okSchema = op.responses?.["200"]?.content?.["application/json"]?.schema;
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          query,
          body: bodySchema ? compile(bodySchema) : null,
          ok: okSchema ? compile(okSchema) : null,
        });
      }
    }
  }

  /** The operation of a request, preferring literal path segments over `{param}` ones. */
  find(method: string, path: string): Operation | undefined {
    const matches = this.operations.filter((op) => op.method === method && op.pattern.test(path));
    return matches.sort((a, b) => literalLength(b.template) - literalLength(a.template))[0];
  }
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

function literalLength(template: string): number {
  return template.replace(/\{[^}]+\}/g, "").length;
}

/** Points `#/components/...` refs at the document registered as `qdrant`. */
function rebase(schema: unknown): unknown {
  return mapDeep(schema, (node) =>
    typeof node.$ref === "string" && node.$ref.startsWith("#/")
      ? { ...node, $ref: `qdrant${node.$ref}` }
      : node,
  );
}

/**
 * OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a `null` type. `{ nullable: true }` alone
 * (Qdrant writes `anyOf: [X, { nullable: true }]`) means "or null".
 */
function toJsonSchema(schema: unknown): unknown {
  return mapDeep(schema, (node) => {
    if (node.nullable !== true) return node;
    const { nullable: _, ...rest } = node;
    if (typeof rest.type === "string") return { ...rest, type: [rest.type, "null"] };
    if (
      Object.keys(rest).length === 0 ||
      Object.keys(rest).every((k) => k === "description" || k === "default")
    ) {
      return { ...rest, type: "null" };
    }
    return { anyOf: [rest, { type: "null" }] };
  });
}

function mapDeep(
  value: unknown,
  visit: (node: Record<string, unknown>) => Record<string, unknown>,
): unknown {
  if (Array.isArray(value)) return value.map((item) => mapDeep(item, visit));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = mapDeep(child, visit);
  return visit(out);
}
