import { afterAll, describe, expect, test } from "bun:test";
import { billingEvent, INVOICES_YAML, spawnGateway } from "./gateway-process.ts";

const DECLARED = INVOICES_YAML;
const BILLING = "billing-token-0123456789";
const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

const invoice = (id: string, memo: string) =>
  billingEvent("invoice.paid", {
    id,
    tenantId: "acme",
    customer: "Ada Lovelace",
    memo,
    status: "paid",
    amountCents: 1,
  });
const user = billingEvent("user.created", {
  id: 1,
  tenantId: "acme",
  name: "Mallory",
  email: "mallory@example.com",
});

async function gateway(env: Record<string, string>) {
  const started = spawnGateway({ MESH_ENTITIES: DECLARED, INGEST_TOKEN: "", ...env });
  cleanups.push(() => started.child.kill());
  expect(await started.outcome).toBe("started");
  const post = (token: string, events: unknown[]) =>
    fetch(`${started.url}/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/cloudevents-batch+json",
      },
      body: JSON.stringify(events),
    });
  const search = async (q: string, tenant = "acme") => {
    const response = await fetch(`${started.url}/search?type=invoices&q=${q}`, {
      headers: { authorization: `Bearer ${tenant}:user-1` },
    });
    return ((await response.json()) as { hits: { id: string }[] }).hits.map(({ id }) => id);
  };
  return { post, search };
}

describe("POST /events with a declared producer's token", () => {
  test("the producer posts the types it owns; another type is a 403 naming it, nothing stored", async () => {
    const { post, search } = await gateway({ BILLING_INGEST_TOKEN: BILLING });
    const own = await post(BILLING, [invoice("inv-1", "Analytical engine")]);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ accepted: 1, stored: 1 });
    expect(await search("analytical")).toEqual(["inv-1"]);
    expect(await search("analytical", "globex")).toEqual([]);

    const mixed = await post(BILLING, [invoice("inv-2", "Difference engine"), user]);
    expect(mixed.status).toBe(403);
    expect(await mixed.json()).toMatchObject({
      status: 403,
      details: { type: "user.created" },
      detail:
        'producer "billing-service" does not own event type "user.created"; nothing was stored',
    });
    expect(await search("difference")).not.toContain("inv-2");
  }, 60_000);

  test("a flood of forged tokens is all 401 and an oversized body 413; the producer still posts", async () => {
    const { post, search } = await gateway({
      BILLING_INGEST_TOKEN: BILLING,
      INGEST_MAX_BYTES: "4096",
    });
    const forged = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        post(`${BILLING.slice(0, -3)}${i}`, [invoice(`f-${i}`, "forged")]).then((r) => r.status),
      ),
    );
    expect(new Set(forged)).toEqual(new Set([401]));
    const big = await post(BILLING, [invoice("inv-big", "x".repeat(5000))]);
    expect(big.status).toBe(413);
    expect((await post(BILLING, [invoice("inv-3", "Jacquard loom")])).status).toBe(200);
    expect(await search("forged")).toEqual([]);
    expect(await search("jacquard")).toEqual(["inv-3"]);
  }, 60_000);

  test("without any token the route is off; a short producer token stops start-up", async () => {
    const { post } = await gateway({});
    expect((await post(BILLING, [invoice("inv-4", "off")])).status).toBe(404);
    const short = spawnGateway({ MESH_ENTITIES: DECLARED, BILLING_INGEST_TOKEN: "short" });
    cleanups.push(() => short.child.kill());
    expect(await short.outcome).toBe(1);
    expect(await new Response(short.child.stderr).text()).toContain(
      'BILLING_INGEST_TOKEN: producer "billing-service"\'s token must have at least 16 characters',
    );
  }, 60_000);
});
