import { describe, expect, test } from "bun:test";
import { Parser } from "@asyncapi/parser";
import { INVOICE_REGISTRY, invoicePaid } from "../test/invoice-registry.ts";
import { asyncApiDocument } from "./asyncapi.ts";
import { decodeHttp } from "./cloudevent.ts";
import { EVENT_TYPES, type EventData, type EventType } from "./events.ts";
import { decode, encode } from "./kafka-codec.ts";
import {
  EVENT_REGISTRY,
  EVENT_RULES,
  type EventRule,
  type EventRules,
  entityIdOf,
} from "./registry.ts";
import { collectionsOf, filterFieldsOf, filterValuesOf } from "./registry-queries.ts";
import { gatewayTopics, TOPICS, topicsOf } from "./topics.ts";

const headers = { "content-type": "application/cloudevents+json" };
const invoice = invoicePaid("tenant-a", "inv-1", "Ada Lovelace", "Analytical engine, annual plan");

describe("event registry: the compiler names what is missing", () => {
  test("a rules table without an entry for a type does not compile", () => {
    const { "task.completed": _, ...withoutTaskCompleted } = EVENT_RULES;
    // @ts-expect-error Property '"task.completed"' is missing: every EventType needs its rule.
    const rules: EventRules = withoutTaskCompleted;
    expect(Object.keys(rules)).not.toContain("task.completed");
  });

  test("a rule without a gateway handler does not compile", () => {
    // @ts-expect-error Property 'gateway' is missing: whether the gateway indexes it is required.
    const rule: EventRule<EventData<"user.created">> = {
      entity: "user",
      producer: "user-service",
      entityId: (user) => String(user.id),
    };
    expect(rule.entity).toBe("user");
  });

  test("a handler is typed by its type's schema: reading a field the data lacks does not compile", () => {
    const rule: EventRule<EventData<"user.deleted">> = {
      ...EVENT_RULES["user.deleted"],
      // @ts-expect-error Property 'email' does not exist: a deleted user carries only its identity.
      entityId: (user) => user.email,
    };
    expect(rule.gateway.action).toBe("delete");
  });
});

describe("event registry: what derives from it", () => {
  test("each type's name starts with its entity, and every collection is a plain identifier", () => {
    for (const [type, spec] of Object.entries(INVOICE_REGISTRY)) {
      expect(type.startsWith(`${spec.entity}.`), type).toBe(true);
    }
    // Collection names become table names (sqlite-vec) and collection names (Qdrant).
    for (const name of collectionsOf(INVOICE_REGISTRY)) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  test("the catalog: four topics, the gateway consumes all but billing, two collections", () => {
    expect([...TOPICS]).toEqual(["user.events", "tenant.events", "task.events", "billing.events"]);
    expect(gatewayTopics()).toEqual(["user.events", "tenant.events", "task.events"]);
    expect(collectionsOf()).toEqual(["users", "tasks"]);
    expect(Object.keys(EVENT_REGISTRY)).toEqual(EVENT_TYPES satisfies EventType[]);
  });

  test("entity ids come from each type's rule", () => {
    const deleted: EventData<"user.deleted"> = { id: 7, tenantId: "t" };
    const tenant: EventData<"tenant.created"> = { tenantId: "acme", name: "Acme" };
    const usage: EventData<"billing.usage.incremented"> = {
      tenantId: "t",
      metric: "searches",
      amount: 1,
      occurredAt: "2026-01-01T00:00:00Z",
    };
    expect(entityIdOf("user.deleted", deleted)).toBe("7");
    expect(entityIdOf("tenant.created", tenant)).toBe("acme");
    expect(entityIdOf("billing.usage.incremented", usage)).toBe("searches");
  });

  test("a new entry gets its topic, consumer and collection from the registry alone", () => {
    expect(topicsOf(INVOICE_REGISTRY)).toContain("invoice.events");
    expect(gatewayTopics(INVOICE_REGISTRY)).toContain("invoice.events");
    expect(collectionsOf(INVOICE_REGISTRY)).toEqual(["users", "tasks", "invoices"]);
  });

  test("the AsyncAPI document of an extended registry has the new channel, its sender and its receiver", async () => {
    const doc = asyncApiDocument("0.0.0", INVOICE_REGISTRY) as {
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
      operations: Record<string, { action: string; summary: string }>;
    };
    expect(doc.channels.invoiceEvents?.address).toBe("invoice.events");
    expect(Object.keys(doc.channels.invoiceEvents?.messages ?? {})).toEqual(["invoicePaid"]);
    expect(doc.operations.sendInvoiceEvents).toMatchObject({
      action: "send",
      summary: "billing-service publishes to invoice.events.",
    });
    expect(doc.operations.receiveInvoiceEvents?.action).toBe("receive");
    const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
  });

  test("decoding takes the registry: the catalog refuses invoice.paid, the extended one reads it", () => {
    const message = { headers, body: JSON.stringify(invoice) };
    const refused = decodeHttp(message);
    expect(refused.ok && refused.results[0]).toMatchObject({
      ok: false,
      error: { code: "unknown_type" },
    });
    const read = decodeHttp(message, INVOICE_REGISTRY);
    expect(read.ok && read.results[0]).toMatchObject({
      ok: true,
      event: { type: "invoice.paid", tenantId: "tenant-a", data: { id: "inv-1" } },
    });
  });

  test("the Kafka codec puts the new type on its topic, keyed by its entity, and reads it back", () => {
    const read = decodeHttp({ headers, body: JSON.stringify(invoice) }, INVOICE_REGISTRY);
    const event = read.ok && read.results[0]?.ok ? read.results[0].event : null;
    if (!event) throw new Error("invoice not decoded");
    const record = encode(event, { registry: INVOICE_REGISTRY });
    expect(record.topic).toBe("invoice.events");
    expect(record.key).toBe("tenant-a/inv-1");
    const back = decode(record, { registry: INVOICE_REGISTRY });
    expect(back).toEqual({ ok: true, event });
    // On the catalog's codec the same record is a dead letter with its reason, not a crash.
    expect(decode(record)).toMatchObject({ ok: false, error: { code: "unknown_type" } });
  });
});

describe("event registry: filterable fields", () => {
  test("tasks can be filtered on status and assignee, users on nothing", () => {
    expect(filterFieldsOf()).toEqual(
      new Map([
        ["users", []],
        ["tasks", ["status", "assignee"]],
      ]),
    );
  });

  test("filter values are strings; absent and non-scalar fields are left out", () => {
    const fields = ["status", "assignee", "tags"];
    expect(filterValuesOf(fields, { status: "open", assignee: 7, tags: ["a"] })).toEqual({
      status: "open",
      assignee: "7",
    });
    expect(filterValuesOf(undefined, { status: "open" })).toEqual({});
  });
});
