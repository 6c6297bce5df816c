// The parts of a declared type checked against something else: its data against its JSON Schema
// (Ajv, reported as valibot issues so the decoders name the field), and a declared built-in type
// against its TypeScript registry entry.
import type { ErrorObject } from "ajv";
import * as v from "valibot";
import { eventDataJsonSchema } from "./json-schema.ts";
import type { EventSpec, GatewayRule, TenantScoped } from "./registry.ts";

/** A valibot schema whose check is an Ajv validator, so the decoders report its issues by path. */
export function ajvSchema(
  validate: (data: unknown) => boolean,
  errors: () => ErrorObject[] | null,
) {
  return v.pipe(
    v.unknown(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (validate(dataset.value)) return;
      for (const error of errors() ?? []) {
        const field = error.instancePath.slice(1).replaceAll("/", ".");
        const named =
          error.keyword === "required"
            ? error.params.missingProperty
            : error.keyword === "additionalProperties"
              ? error.params.additionalProperty
              : undefined;
        const where = [field, named === undefined ? "" : String(named)].filter(Boolean).join(".");
        const message =
          error.keyword === "additionalProperties"
            ? "is not allowed"
            : (error.message ?? "invalid");
        addIssue({ message: `${where ? `${where}: ` : ""}${message}` });
      }
    }),
  ) as unknown as v.GenericSchema<unknown, TenantScoped>;
}

/** Where a declared built-in type disagrees with its TypeScript entry, one line each. */
export function builtInProblems(type: string, declared: EventSpec, coded: EventSpec): string[] {
  const problems: string[] = [];
  const show = (x: unknown) => JSON.stringify(x ?? null);
  const compare = (what: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b))
      problems.push(`${type}: ${what}: declared ${show(a)}, the registry has ${show(b)}`);
  };
  compare("topic", `${declared.entity}.events`, `${coded.entity}.events`);
  compare("producer", declared.producer, coded.producer);
  compare("gateway.action", declared.gateway.action, coded.gateway.action);
  const collection = (g: GatewayRule<unknown>) => ("collection" in g ? g.collection : null);
  compare("gateway.collection", collection(declared.gateway), collection(coded.gateway));
  const filters = (g: GatewayRule<unknown>) => (g.action === "upsert" ? (g.filters ?? []) : []);
  compare("gateway.filters", filters(declared.gateway), filters(coded.gateway));
  const upsert = (g: GatewayRule<unknown>) => (g.action === "upsert" ? g : undefined);
  compare("gateway.text", upsert(declared.gateway)?.textFields, upsert(coded.gateway)?.textFields);
  compare(
    "gateway.longText",
    upsert(declared.gateway)?.longTextFields ?? [],
    upsert(coded.gateway)?.longTextFields ?? [],
  );
  const {
    $schema: _,
    $id: __,
    title: ___,
    ...schema
  } = eventDataJsonSchema(type, { [type]: coded });
  if (show(schema) !== show(declared.jsonSchema))
    problems.push(
      `${type}: schema: differs from the registry's (bun run contracts:generate shows it)`,
    );
  return problems;
}
