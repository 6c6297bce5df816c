// A real full disk: the gateway's SQLite file lives on a small tmpfs that the test fills with a
// filler file. Mounting needs root; elsewhere the test is skipped with a message.
import { afterAll, describe, expect, test } from "bun:test";
import { makeEvent, toStructured } from "@event-mesh/contracts";
import { mountSmallDisk } from "@event-mesh/service-kit";
import { testGateway } from "./app-fixture.ts";

const disk = mountSmallDisk(4096);
if (!disk) console.warn("full-disk tests skipped: cannot mount a tmpfs here (needs root)");
afterAll(() => disk?.close());

const A = { authorization: "Bearer tenant-a:user-1" };

describe.skipIf(!disk)("on a full disk", () => {
  test("search still answers 200 while recording usage fails; usage counts again once space is back", async () => {
    if (!disk) throw new Error("no full-disk mount although the suite was not skipped");
    const { app, metrics } = await testGateway({ dataDir: disk.dir });
    const event = makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id: 1, name: "Maria Lopez", email: "maria@a.dev", tenantId: "tenant-a" },
    });
    const ingested = await app.request("http://localhost/events", {
      method: "POST",
      headers: {
        authorization: "Bearer ingest-secret",
        "content-type": "application/cloudevents+json",
      },
      body: JSON.stringify(toStructured(event)),
    });
    expect(ingested.status).toBe(200);

    disk.fill();
    const search = await app.request("http://localhost/search?q=Maria", { headers: A });
    expect(search.status).toBe(200);
    expect(await search.json()).toMatchObject({ hits: [{ id: "1", type: "users" }] });
    expect(
      await metrics.registry.getSingleMetricAsString("ai_gateway_usage_record_failures_total"),
    ).toContain('ai_gateway_usage_record_failures_total{metric="searches"} 1');

    disk.free();
    expect((await app.request("http://localhost/search?q=Maria", { headers: A })).status).toBe(200);
    const usage = await app.request("http://localhost/usage", { headers: A });
    expect(await usage.json()).toEqual({
      tenantId: "tenant-a",
      usage: { embeddings: 1, searches: 1 },
      quota: { embeddingsPerDay: null, embeddingsToday: 1, heldToday: 0 },
    });
  });
});
