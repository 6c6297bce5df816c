import { afterEach, expect, test } from "bun:test";
import { makeEvent } from "@event-mesh/contracts";
import { servedGateway } from "./served-gateway.ts";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const user = (id: number, name: string) =>
  makeEvent("user.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    version: 1,
    data: { id, name, email: `${id}@tenant-a.dev`, tenantId: "tenant-a" },
  });

test("a query of only punctuation is a 400 naming q, never every entity scoring 1", async () => {
  const gw = await servedGateway();
  stops.push(() => gw.stop());
  expect((await gw.post([user(1, "Ann Lee"), user(2, "Bo Chen"), user(3, "Cy Diaz")])).status).toBe(
    200,
  );
  for (const q of ["!!!", "?", "--- ...", "¿¡"]) {
    const response = await gw.get(`/search?q=${encodeURIComponent(q)}&minScore=0.9`, "tenant-a");
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; details: { path: string }[] };
    expect(body.code).toBe("invalid_input");
    expect(body.details.map((detail) => detail.path)).toEqual(["q"]);
  }
  const posted = await fetch(`${gw.url}/search`, {
    method: "POST",
    headers: { authorization: "Bearer tenant-a:u1", "content-type": "application/json" },
    body: JSON.stringify({ q: "!!!" }),
  });
  expect(posted.status).toBe(400);
  // The words still find their entity.
  const found = (await (await gw.get("/search?q=Ann", "tenant-a")).json()) as {
    hits: { data: { id: number } }[];
  };
  expect(found.hits.map((hit) => hit.data.id)).toEqual([1]);
});

test("the store itself finds nothing for a zero vector, whatever it holds", async () => {
  const gw = await servedGateway();
  stops.push(() => gw.stop());
  expect((await gw.post([user(1, "Ann Lee"), user(2, "Bo Chen")])).status).toBe(200);
  expect(await gw.store.search("users", "tenant-a", new Float32Array(384), 10)).toEqual([]);
});
