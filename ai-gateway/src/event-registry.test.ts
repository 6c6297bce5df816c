import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  type AnyMeshEvent,
  decodeHttp,
  EVENT_TYPES,
  gatewayTopics,
  topicFor,
} from "@event-mesh/contracts";
import asyncapi from "@event-mesh/contracts/generated/asyncapi.json" with { type: "json" };
import { INVOICE_REGISTRY, invoicePaid } from "@event-mesh/contracts/test/invoice-registry.ts";
import { contractTopics } from "@event-mesh/kafka-kit";
import { testGateway } from "../test/app-fixture.ts";
import { planBatch } from "./pipeline/plan.ts";

const BASE = "http://localhost";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const ada = invoicePaid("tenant-a", "inv-1", "Ada Lovelace", "Analytical engine, annual plan");
const grace = invoicePaid("tenant-b", "inv-1", "Grace Hopper", "Compiler support, annual plan");

function post(app: Awaited<ReturnType<typeof testGateway>>["app"], events: unknown[]) {
  return app.request(`${BASE}/events`, {
    method: "POST",
    headers: { ...bearer("ingest-secret"), "content-type": "application/cloudevents-batch+json" },
    body: JSON.stringify(events),
  });
}

function decoded(event: unknown): AnyMeshEvent {
  const result = decodeHttp(
    { headers: { "content-type": "application/cloudevents+json" }, body: JSON.stringify(event) },
    INVOICE_REGISTRY,
  );
  const first = result.ok ? result.results[0] : undefined;
  if (!first?.ok) throw new Error(`not decoded: ${JSON.stringify(first)}`);
  return first.event;
}

describe("a type added to the registry alone flows end to end", () => {
  test("its topic is created and consumed, and the plan makes it an upsert of its collection", () => {
    expect(contractTopics("t.", INVOICE_REGISTRY)).toContain("t.invoice.events");
    expect(contractTopics("t.", INVOICE_REGISTRY)).toContain("t.invoice.events.dlq");
    expect(gatewayTopics(INVOICE_REGISTRY)).toContain("invoice.events");
    const plan = planBatch([decoded(ada)], INVOICE_REGISTRY);
    expect(plan.ignored).toEqual([]);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({
      collection: "invoices",
      action: "upsert",
      entityId: "inv-1",
      text: "Ada Lovelace\nAnalytical engine, annual plan",
      data: { id: "inv-1", customer: "Ada Lovelace", amountCents: 4200 },
    });
  });

  test("POST /events stores it, and search with type=invoices finds it in its tenant only", async () => {
    const { app } = await testGateway({ registry: INVOICE_REGISTRY });
    const ingested = await post(app, [ada, grace]);
    expect(ingested.status).toBe(200);
    expect(await ingested.json()).toMatchObject({ accepted: 2, stored: 2, deadLetteredCount: 0 });

    const search = await app.request(`${BASE}/search?q=Ada%20Lovelace&type=invoices`, {
      headers: bearer("tenant-a:user-1"),
    });
    expect(search.status).toBe(200);
    const { hits } = (await search.json()) as {
      hits: { id: string; type: string; data: unknown }[];
    };
    expect(hits.map(({ id, type, data }) => ({ id, type, data }))).toEqual([
      {
        id: "inv-1",
        type: "invoices",
        data: { id: "inv-1", customer: "Ada Lovelace", amountCents: 4200 },
      },
    ]);

    const stats = await app.request(`${BASE}/stats`, { headers: bearer("tenant-b:user-1") });
    expect(await stats.json()).toEqual({
      tenantId: "tenant-b",
      points: { users: 0, tasks: 0, invoices: 1 },
    });
  });

  test("the gateway's AsyncAPI document says who sends and who receives the new topic", async () => {
    const { app } = await testGateway({ registry: INVOICE_REGISTRY });
    const doc = (await (await app.request(`${BASE}/asyncapi.json`)).json()) as {
      operations: Record<string, { action: string; summary: string }>;
    };
    expect(doc.operations.sendInvoiceEvents?.summary).toBe(
      "billing-service publishes to invoice.events.",
    );
    expect(doc.operations.receiveInvoiceEvents?.action).toBe("receive");
  });

  test("on the catalog's gateway the type is dead-lettered with its reason, and type=invoices is a 400", async () => {
    const { app } = await testGateway();
    const ingested = await post(app, [ada]);
    expect(await ingested.json()).toMatchObject({
      stored: 0,
      deadLetteredCount: 1,
      deadLettered: [{ index: 0, code: "unknown_type" }],
    });
    const search = await app.request(`${BASE}/search?q=Ada&type=invoices`, {
      headers: bearer("tenant-a:user-1"),
    });
    expect(search.status).toBe(400);
    expect(JSON.stringify(await search.json())).toContain("must be one of users, tasks");
  });
});

describe("the catalog: what the AsyncAPI document promises is what the plan does", () => {
  // A past defect: the document said the gateway indexes a topic whose events the plan dropped.
  test("each type's fixture on a topic the gateway receives is planned; on any other, ignored", async () => {
    const received = Object.values(asyncapi.operations)
      .filter((operation) => operation.action === "receive")
      .map((operation) => operation.summary.split(" ")[2]);
    expect(received).toEqual(gatewayTopics());
    for (const type of EVENT_TYPES) {
      const fixture = join(import.meta.dir, "../../contracts/fixtures/valid", `${type}.json`);
      const { event } = (await Bun.file(fixture).json()) as { event: AnyMeshEvent };
      const plan = planBatch([event]);
      const planned = plan.changes.length + plan.tenants.length + plan.erasures.length;
      expect({ type, planned }).toEqual({
        type,
        planned: received.includes(topicFor(type)) ? 1 : 0,
      });
      expect(plan.ignored).toHaveLength(1 - planned);
    }
  });
});
