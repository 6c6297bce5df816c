import { expect, test } from "bun:test";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { spawnGateway } from "./gateway-process.ts";

// SQLITE_VEC_INDEX_AT and SQLITE_VEC_INDEX_MB as the gateway process reads them: a tenant past
// the index size is searched on its codes in memory, and /metrics shows what they hold.

const user = (tenantId: string, id: number, name: string) =>
  makeEvent("user.created", {
    tenantId,
    source: "urn:test",
    data: { id, name, email: `u${id}@${tenantId}.dev`, tenantId },
  });

async function gatewayWith(env: Record<string, string>) {
  const gw = spawnGateway(env);
  if ((await gw.outcome) !== "started")
    throw new Error(`gateway did not start: ${await new Response(gw.child.stderr).text()}`);
  const post = (events: ReturnType<typeof user>[]) => {
    const batch = encodeHttpBatch(events);
    return fetch(`${gw.url}/events`, {
      method: "POST",
      headers: { authorization: "Bearer t0ken", "content-type": batch.contentType },
      body: batch.body,
    });
  };
  const search = async (tenantId: string, q: string) => {
    const response = await fetch(`${gw.url}/search?q=${encodeURIComponent(q)}&mode=vector`, {
      headers: { authorization: `Bearer ${tenantId}:u1` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { hits: { id: string }[] }).hits.map((hit) => hit.id);
  };
  const bytes = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("ai_gateway_code_index_bytes "));
    return Number(line?.split(" ")[1] ?? Number.NaN);
  };
  return { gw, post, search, bytes };
}

for (const [label, mb, kept] of [
  ["under the default cap, the copy is kept", "256", true],
  ["with SQLITE_VEC_INDEX_MB=0, none is kept and searches answer the same", "0", false],
] as const) {
  test(`a tenant past SQLITE_VEC_INDEX_AT is searched on its codes in memory: ${label}`, async () => {
    const { gw, post, search, bytes } = await gatewayWith({
      SQLITE_VEC_INDEX_AT: "20",
      SQLITE_VEC_INDEX_MB: mb,
    });
    try {
      const people = Array.from({ length: 40 }, (_, i) =>
        user("tenant-a", i + 1, `Person${i + 1} Lee`),
      );
      expect((await post([...people, user("tenant-b", 1, "Person7 Lee")])).status).toBe(200);
      expect(await bytes()).toBe(0);
      expect((await search("tenant-a", "Person7 Lee"))[0]).toBe("7");
      // tenant-b (1 code, scored exactly) sees its own point only.
      expect(await search("tenant-b", "Person7 Lee")).toEqual(["1"]);
      if (kept) expect(await bytes()).toBeGreaterThan(40 * 96);
      else expect(await bytes()).toBe(0);
      // A write after the copy was made reaches the next search.
      expect((await post([user("tenant-a", 41, "Xavier Quokkaberg")])).status).toBe(200);
      expect((await search("tenant-a", "Xavier Quokkaberg"))[0]).toBe("41");
    } finally {
      gw.child.kill("SIGTERM");
      await gw.child.exited;
    }
  });
}
