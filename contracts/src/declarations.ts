// Declared entity types: event types named in a declaration file (mesh.entities.yaml) rather than
// in TypeScript. Pure: the caller reads and parses the file; this checks it and builds registry
// entries whose data is validated by Ajv (each schema compiled once).
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { ajvSchema, builtInProblems } from "./declared-data.ts";
import { EVENT_REGISTRY, type EventSpec, type GatewayRule, type Registry } from "./registry.ts";

/** A producer named by the file: the env var holding its HTTP ingest token, and its types. */
export interface DeclaredProducer {
  /** The env var whose value is the producer's bearer token (never the token itself). */
  tokenEnv: string;
}

/** What a declaration file yields. */
export interface Declarations {
  /** The registry: the base (built-in) types, plus every declared type not among them. */
  registry: Registry;
  /** Producers by name. */
  producers: Map<string, DeclaredProducer>;
  /** Each declared type's producer (null: none named). */
  owners: Map<string, string | null>;
}

/** Bad declarations: one line per problem. */
export class DeclarationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`bad entity declarations:\n${problems.join("\n")}`);
  }
}

const TYPE = /^(?=.{3,100}$)[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const TOPIC = /^([a-z][a-z0-9_-]{0,62})\.events$/;
const COLLECTION = /^[a-z][a-z0-9_]{0,62}$/;
const ENV = /^[A-Z][A-Z0-9_]*$/;
const ACTIONS = ["upsert", "delete", "meter", "ignore", "record-tenant", "erase-tenant"];
const TYPE_KEYS = ["topic", "producer", "partitionKey", "gateway", "schema", "description"];
const GATEWAY_KEYS = ["action", "collection", "text", "longText", "filters", "payload", "reason"];

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const strings = (x: unknown): x is string[] =>
  Array.isArray(x) && x.every((s) => typeof s === "string");

/** The text of a declared upsert: its text fields' values, one a line, absent ones left out. */
export function declaredText(fields: readonly string[], data: Obj): string {
  return fields
    .map((field) => data[field])
    .filter((value) => value !== undefined && value !== null)
    .map(String)
    .join("\n");
}

/** Checks one declared type's fields against its schema's properties. */
function fieldProblems(type: string, schema: Obj, decl: Obj, gateway: Obj): string[] {
  const properties = isObj(schema.properties) ? schema.properties : {};
  const required = strings(schema.required) ? schema.required : [];
  const problems: string[] = [];
  if (schema.type !== "object") problems.push(`${type}: schema: type must be "object"`);
  if (!Object.hasOwn(properties, "tenantId") || !required.includes("tenantId"))
    problems.push(`${type}: schema: must require a "tenantId" property`);
  const named: [string, unknown][] = [
    ["partitionKey", decl.partitionKey],
    ["gateway.text", gateway.text],
    ["gateway.longText", gateway.longText],
    ["gateway.filters", gateway.filters],
    ["gateway.payload", gateway.payload],
  ];
  for (const [where, list] of named) {
    if (list === undefined) continue;
    if (!strings(list)) {
      problems.push(`${type}: ${where}: must be a list of field names`);
      continue;
    }
    for (const field of list)
      if (!Object.hasOwn(properties, field))
        problems.push(`${type}: ${where}: "${field}" is not a property of the schema`);
  }
  if (strings(decl.partitionKey))
    for (const field of decl.partitionKey)
      if (Object.hasOwn(properties, field) && !required.includes(field))
        problems.push(`${type}: partitionKey: "${field}" must be required by the schema`);
  // What is embedded has a bound: each text field is capped by its schema.
  if (strings(gateway.text))
    for (const field of gateway.text) {
      const property = properties[field];
      if (
        isObj(property) &&
        typeof property.maxLength !== "number" &&
        !Array.isArray(property.enum)
      )
        problems.push(
          `${type}: gateway.text: "${field}" needs a maxLength (or an enum) in the schema`,
        );
    }
  if (strings(gateway.longText) && strings(gateway.text))
    for (const field of gateway.longText)
      if (!gateway.text.includes(field))
        problems.push(`${type}: gateway.longText: "${field}" is not a text field`);
  return problems;
}

function gatewayRule(type: string, g: Obj, problems: string[]): GatewayRule<Obj> | undefined {
  const action = g.action;
  for (const key of Object.keys(g))
    if (!GATEWAY_KEYS.includes(key)) problems.push(`${type}: gateway: unknown key "${key}"`);
  if (typeof action !== "string" || !ACTIONS.includes(action)) {
    problems.push(`${type}: gateway.action: must be one of ${ACTIONS.join(", ")}`);
    return undefined;
  }
  const collection = g.collection;
  const needsCollection = action === "upsert" || action === "delete";
  if (needsCollection && (typeof collection !== "string" || !COLLECTION.test(collection))) {
    problems.push(`${type}: gateway.collection: must match ${COLLECTION.source}`);
    return undefined;
  }
  if (action === "upsert" && (!strings(g.text) || g.text.length === 0)) {
    problems.push(`${type}: gateway.text: an upsert needs at least one text field`);
    return undefined;
  }
  if (action === "upsert") {
    const text = g.text as string[];
    const kept = strings(g.payload) ? g.payload : undefined;
    return {
      action,
      collection: collection as string,
      text: (data) => declaredText(text, data),
      textFields: text,
      payload: (data) =>
        kept ? Object.fromEntries(kept.filter((k) => k in data).map((k) => [k, data[k]])) : data,
      ...(strings(g.filters) ? { filters: g.filters } : {}),
      ...(strings(g.longText) ? { longTextFields: g.longText } : {}),
    };
  }
  if (action === "delete") return { action, collection: collection as string };
  if (action === "record-tenant" || action === "erase-tenant") return { action };
  const reason = typeof g.reason === "string" ? g.reason : "declared ignore";
  return { action: "ignore", reason: action === "meter" ? "the gateway meters it" : reason };
}

/** Builds the registry entry of one declared type, or adds its problems. */
function declaredSpec(
  type: string,
  decl: unknown,
  ajv: Ajv,
  producers: Map<string, DeclaredProducer>,
  problems: string[],
): EventSpec | undefined {
  const before = problems.length;
  if (!TYPE.test(type)) problems.push(`${type}: the type must look like "entity.action"`);
  if (!isObj(decl)) {
    problems.push(`${type}: must be a mapping`);
    return undefined;
  }
  for (const key of Object.keys(decl))
    if (!TYPE_KEYS.includes(key)) problems.push(`${type}: unknown key "${key}"`);
  const topic = typeof decl.topic === "string" ? TOPIC.exec(decl.topic) : null;
  if (!topic) problems.push(`${type}: topic: must be "<entity>.events"`);
  const producer = decl.producer ?? null;
  if (producer !== null && (typeof producer !== "string" || !producers.has(producer)))
    problems.push(`${type}: producer: "${String(producer)}" is not declared under producers`);
  if (!strings(decl.partitionKey) || decl.partitionKey.length === 0)
    problems.push(`${type}: partitionKey: must name at least one field`);
  const gateway = isObj(decl.gateway) ? decl.gateway : undefined;
  if (!gateway) problems.push(`${type}: gateway: must be a mapping with an action`);
  const schema = isObj(decl.schema) ? decl.schema : undefined;
  if (!schema) problems.push(`${type}: schema: must be a JSON Schema object`);
  if (schema && gateway) problems.push(...fieldProblems(type, schema, decl, gateway));
  const rule = gateway ? gatewayRule(type, gateway, problems) : undefined;
  let validate: ReturnType<Ajv["compile"]> | undefined;
  try {
    if (schema) validate = ajv.compile(schema);
  } catch (error) {
    problems.push(`${type}: schema: ${(error as Error).message}`);
  }
  if (problems.length > before || !rule || !validate || !topic || !schema) return undefined;
  const check = validate;
  const key = decl.partitionKey as string[];
  return {
    schema: ajvSchema(check, () => check.errors ?? null),
    jsonSchema: schema,
    entity: topic[1] as string,
    producer: producer as string | null,
    entityId: (data) => key.map((field) => String((data as unknown as Obj)[field])).join(":"),
    gateway: rule as GatewayRule<unknown>,
  };
}

function producersOf(raw: unknown, problems: string[]): Map<string, DeclaredProducer> {
  const producers = new Map<string, DeclaredProducer>();
  if (raw === undefined) return producers;
  if (!isObj(raw)) {
    problems.push("producers: must be a mapping of producer names");
    return producers;
  }
  for (const [name, p] of Object.entries(raw)) {
    const tokenEnv = isObj(p) ? p.tokenEnv : undefined;
    if (typeof tokenEnv !== "string" || !ENV.test(tokenEnv))
      problems.push(`producers.${name}: tokenEnv: must name an env var (${ENV.source})`);
    else producers.set(name, { tokenEnv });
  }
  return producers;
}

/**
 * Checks a parsed declaration document and builds its registry on `base`: a type of `base` keeps
 * its TypeScript entry (the built-ins are checked against the file by a test and at start-up); a
 * type not in it becomes a declared entry. Throws a `DeclarationError` listing every problem.
 */
export function readDeclarations(doc: unknown, base: Registry = EVENT_REGISTRY): Declarations {
  const problems: string[] = [];
  if (!isObj(doc) || !isObj(doc.types)) throw new DeclarationError(["types: must be a mapping"]);
  for (const key of Object.keys(doc))
    if (key !== "types" && key !== "producers") problems.push(`unknown top-level key "${key}"`);
  const producers = producersOf(doc.producers, problems);
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  const registry: Record<string, EventSpec> = { ...base };
  const owners = new Map<string, string | null>();
  for (const [type, decl] of Object.entries(doc.types)) {
    const spec = declaredSpec(type, decl, ajv, producers, problems);
    if (!spec) continue;
    owners.set(type, spec.producer);
    if (!Object.hasOwn(base, type)) registry[type] = spec;
    else problems.push(...builtInProblems(type, spec, base[type] as EventSpec));
  }
  if (problems.length > 0) throw new DeclarationError(problems);
  return { registry: Object.freeze(registry), producers, owners };
}
