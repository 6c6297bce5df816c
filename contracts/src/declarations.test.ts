import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import * as v from "valibot";
import { DeclarationError, readDeclarations } from "./declarations.ts";
import { EVENT_REGISTRY } from "./registry.ts";
import { textOfCollections } from "./registry-queries.ts";

const ROOT = join(import.meta.dir, "..", "..");
const builtIn = Bun.YAML.parse(await Bun.file(join(ROOT, "mesh.entities.yaml")).text()) as {
  types: Record<string, Record<string, unknown>>;
  producers: Record<string, unknown>;
};
const invoices = Bun.YAML.parse(
  await Bun.file(join(ROOT, "examples", "python-invoices", "invoices.yaml")).text(),
) as { types: Record<string, unknown>; producers: Record<string, unknown> };

/** The problems a declaration document is refused with. */
function problemsOf(doc: unknown): readonly string[] {
  try {
    readDeclarations(doc);
  } catch (error) {
    if (error instanceof DeclarationError) return error.problems;
    throw error;
  }
  return [];
}

describe("the built-in types are declared in mesh.entities.yaml", () => {
  test("the file declares exactly the registry's types, and agrees with it", () => {
    expect(Object.keys(builtIn.types)).toEqual(Object.keys(EVENT_REGISTRY));
    expect(problemsOf(builtIn)).toEqual([]);
  });

  test("each built-in's partition key and text fields give what the registry computes", () => {
    const user = { id: 7, tenantId: "t", name: "Ada Lovelace", email: "ada@example.com" };
    const task = { id: "k1", tenantId: "t", title: "Ship", description: "it", status: "open" };
    const samples: Record<string, Record<string, unknown>> = {
      user: user,
      task: task,
      tenant: { tenantId: "t", name: "Acme" },
      billing: { tenantId: "t", metric: "searches", amount: 1, occurredAt: "2026-12-05T00:00:00Z" },
    };
    for (const [type, decl] of Object.entries(builtIn.types)) {
      const data = samples[type.split(".")[0] as string] as Record<string, unknown>;
      const key = (decl.partitionKey as string[]).map((field) => String(data[field])).join(":");
      expect(`${type} ${key}`).toBe(`${type} ${EVENT_REGISTRY[type]?.entityId(data as never)}`);
      const gateway = decl.gateway as { action: string; collection?: string; text?: string[] };
      if (gateway.action !== "upsert") continue;
      const text = textOfCollections().get(gateway.collection as string)?.(data);
      // The registry's separators may differ (a space, a new line); the words and order may not.
      const declared = (gateway.text ?? []).map((field) => String(data[field])).join(" ");
      expect(text?.split(/\s+/)).toEqual(declared.split(/\s+/));
    }
  });

  test("a built-in whose declaration drifts from the registry is named", () => {
    const drifted = structuredClone(builtIn);
    (drifted.types["task.created"]?.gateway as { filters: string[] }).filters = ["status"];
    (drifted.types["user.updated"]?.gateway as { text: string[] }).text = ["email", "name"];
    const schema = drifted.types["user.created"]?.schema as { properties: { name: object } };
    schema.properties.name = { type: "string", maxLength: 10 };
    expect(problemsOf(drifted)).toEqual([
      "user.created: schema: differs from the registry's (bun run contracts:generate shows it)",
      'user.updated: gateway.text: declared ["email","name"], the registry has ["name","email"]',
      'task.created: gateway.filters: declared ["status"], the registry has ["status","assignee"]',
    ]);
  });
});

describe("a declared type", () => {
  const { registry, producers, owners } = readDeclarations({
    producers: { ...builtIn.producers, ...invoices.producers },
    types: { ...builtIn.types, ...invoices.types },
  });
  const spec = registry["invoice.paid"];
  const data = {
    id: "inv-1",
    tenantId: "t",
    customer: "Ada",
    memo: "Analytical engine",
    status: "paid",
    amountCents: 4200,
  };

  test("joins the registry with its topic, collection, filters, owner and long text fields", () => {
    expect(spec?.entity).toBe("invoice");
    expect(spec?.entityId(data)).toBe("inv-1");
    expect(spec?.gateway).toMatchObject({
      action: "upsert",
      collection: "invoices",
      filters: ["status", "customer"],
      longTextFields: ["memo"],
    });
    expect(owners.get("invoice.paid")).toBe("billing-service");
    expect(producers.get("billing-service")).toEqual({ tokenEnv: "BILLING_INGEST_TOKEN" });
    const gateway = spec?.gateway;
    if (gateway?.action !== "upsert") throw new Error("not an upsert");
    expect(gateway.text(data)).toBe("Ada\nAnalytical engine");
  });

  test("its data is checked by its JSON Schema, each issue naming the field", () => {
    if (!spec) throw new Error("no spec");
    expect(v.safeParse(spec.schema, data).success).toBe(true);
    const bad = v.safeParse(spec.schema, { ...data, status: "lost", amountCents: -1, extra: 1 });
    expect(bad.issues?.map((issue) => issue.message).sort()).toEqual([
      "amountCents: must be >= 0",
      "extra: is not allowed",
      "status: must be equal to one of the allowed values",
    ]);
    const missing = v.safeParse(spec.schema, { tenantId: "t" });
    expect(missing.issues?.map((issue) => issue.message)).toContain(
      "id: must have required property 'id'",
    );
  });
});

describe("bad declarations stop start-up with one line per problem", () => {
  test("every problem of a file is named, each on its own line", () => {
    const doc = {
      producers: { billing: { tokenEnv: "lower-case" } },
      types: {
        "Invoice Paid": { topic: "invoices", partitionKey: [], gateway: { action: "index" } },
        "order.created": {
          topic: "order.events",
          producer: "nobody",
          partitionKey: ["orderId"],
          gateway: { action: "upsert", collection: "orders", text: ["note"], filters: 3 },
          schema: { type: "object", properties: { tenantId: { type: "strin" } } },
          colour: "blue",
        },
      },
    };
    expect(problemsOf(doc)).toEqual([
      "producers.billing: tokenEnv: must name an env var (^[A-Z][A-Z0-9_]*$)",
      'Invoice Paid: the type must look like "entity.action"',
      'Invoice Paid: topic: must be "<entity>.events"',
      "Invoice Paid: partitionKey: must name at least one field",
      "Invoice Paid: schema: must be a JSON Schema object",
      "Invoice Paid: gateway.action: must be one of upsert, delete, meter, ignore, record-tenant, erase-tenant",
      'order.created: unknown key "colour"',
      'order.created: producer: "nobody" is not declared under producers',
      'order.created: schema: must require a "tenantId" property',
      'order.created: partitionKey: "orderId" is not a property of the schema',
      'order.created: gateway.text: "note" is not a property of the schema',
      "order.created: gateway.filters: must be a list of field names",
      expect.stringMatching(/^order\.created: schema: schema is invalid: .*tenantId\/type/),
    ]);
  });

  test("a text field without a cap in its schema is refused: what is embedded is bounded", () => {
    const doc = structuredClone(invoices) as { types: Record<string, { schema: object }> };
    const schema = doc.types["invoice.paid"]?.schema as { properties: { memo: object } };
    schema.properties.memo = { type: "string" };
    expect(problemsOf({ producers: invoices.producers, types: doc.types })).toEqual([
      'invoice.paid: gateway.text: "memo" needs a maxLength (or an enum) in the schema',
    ]);
  });

  test("a document without types is refused", () => {
    expect(problemsOf({ type: {} })).toEqual(["types: must be a mapping"]);
  });
});
