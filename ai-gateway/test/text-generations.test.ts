import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@event-mesh/service-kit";
import { billingEvent, INVOICES_YAML, spawnGateway } from "./gateway-process.ts";

// A declared type's text fields change: the gateway re-embeds in a new generation, as it does for
// a new model, and searches find the entities by the new fields once it switches. A newly declared
// collection beside them is no reason to re-embed anything.

const INVOICES = INVOICES_YAML;
const BILLING = "billing-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "text-generations-"));
const cleanups: (() => unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

type Doc = { producers: object; types: Record<string, { gateway: Record<string, unknown> }> };
const invoices = Bun.YAML.parse(await Bun.file(INVOICES).text()) as Doc;

/** The invoices declaration with `text` (and `longText`) as given, plus `extra` types. */
async function declaration(name: string, gateway: Record<string, unknown>, extra = {}) {
  const doc = structuredClone(invoices);
  const paid = doc.types["invoice.paid"] as { gateway: Record<string, unknown> };
  const { longText: _, ...rest } = paid.gateway;
  paid.gateway = { ...rest, ...gateway };
  doc.types = { ...doc.types, ...extra };
  const path = join(dir, `${name}.yaml`);
  await Bun.write(path, JSON.stringify(doc)); // YAML reads JSON
  return path;
}

const invoice = (id: string, customer: string, memo: string) =>
  billingEvent("invoice.paid", {
    id,
    tenantId: "acme",
    customer,
    memo,
    status: "paid",
    amountCents: 100,
  });

interface View {
  id: number;
  state: string;
  serving: boolean;
}

/** A gateway process on the shared DATA_DIR, with the declaration file `entities`. */
async function gateway(entities: string) {
  const started = spawnGateway({
    DATA_DIR: join(dir, "data"),
    MESH_ENTITIES: entities,
    INGEST_TOKEN: "",
    BILLING_INGEST_TOKEN: BILLING,
  });
  cleanups.push(() => started.child.kill());
  if ((await started.outcome) !== "started")
    throw new Error(await new Response(started.child.stderr).text());
  const headers = { authorization: "Bearer acme:user-1" };
  return {
    post: (events: unknown[]) =>
      fetch(`${started.url}/events`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${BILLING}`,
          "content-type": "application/cloudevents-batch+json",
        },
        body: JSON.stringify(events),
      }),
    /** Keyword search: found only by words of the embedded text. */
    search: async (q: string) => {
      const query = new URLSearchParams({ q, type: "invoices", mode: "keyword" });
      const response = await fetch(`${started.url}/search?${query}`, { headers });
      expect(response.status).toBe(200);
      return ((await response.json()) as { hits: { id: string }[] }).hits.map(({ id }) => id);
    },
    generations: async () => {
      const response = await fetch(`${started.url}/stats`, { headers });
      return ((await response.json()) as { generations: View[] }).generations;
    },
    stop: async () => {
      started.child.kill();
      await started.child.exited;
    },
  };
}

test("changing a declared type's text fields re-embeds it in a new generation; a new collection does not", async () => {
  const customerOnly = await declaration("v1", { text: ["customer"] });
  const first = await gateway(customerOnly);
  const posted = await first.post([
    invoice("inv-1", "Ada Lovelace", "Analytical engine, annual plan"),
    invoice("inv-2", "Charles Babbage", "Difference engine repairs"),
  ]);
  expect(posted.status).toBe(200);
  expect(await first.search("lovelace")).toEqual(["inv-1"]);
  // The memo is not a text field yet: no search finds an invoice by it.
  expect(await first.search("analytical")).toEqual([]);
  expect((await first.generations()).map(({ id, state }) => [id, state])).toEqual([[1, "current"]]);
  await first.stop();

  const withMemo = await declaration("v2", { text: ["customer", "memo"], longText: ["memo"] });
  const second = await gateway(withMemo);
  // Searches stay on generation 1 until generation 2 holds every invoice, then switch.
  const switched = await eventually("generation 2 serving", async () => {
    const views = await second.generations();
    return views.find((view) => view.serving)?.id === 2 ? views : undefined;
  });
  expect(switched.map(({ id, state }) => [id, state])).toEqual([
    [1, "previous"],
    [2, "current"],
  ]);
  expect(await second.search("analytical")).toEqual(["inv-1"]);
  expect(await second.search("babbage")).toEqual(["inv-2"]);
  // A write after the switch is embedded with the new fields too.
  await second.post([invoice("inv-3", "Grace Hopper", "Compiler consulting")]);
  expect(await second.search("compiler")).toEqual(["inv-3"]);
  await second.stop();

  // A new declared type in its own collection: the invoices' rules are unchanged, so nothing is
  // re-embedded; the new collection starts empty in the current generation.
  const orders = structuredClone(invoices.types["invoice.paid"]) as Record<string, unknown>;
  const withOrders = await declaration(
    "v3",
    { text: ["customer", "memo"], longText: ["memo"] },
    {
      "order.placed": {
        ...orders,
        topic: "order.events",
        gateway: { action: "upsert", collection: "orders", text: ["customer"] },
      },
    },
  );
  const third = await gateway(withOrders);
  expect((await third.generations()).map(({ id, state }) => [id, state])).toEqual([
    [1, "previous"],
    [2, "current"],
  ]);
  expect(await third.search("analytical")).toEqual(["inv-1"]);
}, 90_000);
