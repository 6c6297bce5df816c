// An event type that is not in the catalog, for tests that prove a registry entry is all a new
// type needs: `invoice.paid`, published by a billing service, indexed in an `invoices` collection.
import * as v from "valibot";
import { Amount, EntityId, Name, TenantId, Text } from "../src/fields.ts";
import { defineEvent, EVENT_REGISTRY, type Registry } from "../src/registry.ts";

/** A paid invoice. */
export const InvoicePaidData = v.strictObject({
  /** The invoice's id. */
  id: EntityId,
  /** The tenant the invoice belongs to. */
  tenantId: TenantId,
  /** Who paid. */
  customer: Name,
  /** What was bought. */
  memo: Text,
  /** Amount paid, in cents. */
  amountCents: Amount,
});

/** The catalog plus `invoice.paid`: one entry, nothing else changed. */
export const INVOICE_REGISTRY: Registry = {
  ...EVENT_REGISTRY,
  "invoice.paid": defineEvent({
    schema: InvoicePaidData,
    entity: "invoice",
    producer: "billing-service",
    entityId: (invoice) => String(invoice.id),
    gateway: {
      action: "upsert",
      collection: "invoices",
      text: (invoice) => `${invoice.customer}\n${invoice.memo}`,
      // Search returns what a list of invoices shows, not every field.
      payload: ({ id, customer, amountCents }) => ({ id, customer, amountCents }),
    },
  }),
};

/** A valid `invoice.paid` CloudEvent (structured mode) of `tenantId`. */
export function invoicePaid(tenantId: string, id: string, customer: string, memo: string) {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "urn:event-mesh:billing-service",
    type: "invoice.paid",
    time: "2026-11-29T06:00:00.000Z",
    datacontenttype: "application/json",
    tenantid: tenantId,
    entityversion: 1,
    data: { id, tenantId, customer, memo, amountCents: 4200 },
  };
}
