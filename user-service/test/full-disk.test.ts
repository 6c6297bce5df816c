// A real full disk: the service's data folder is a small tmpfs that the test fills with a
// filler file. Mounting needs root; elsewhere the test is skipped with a message.
import { afterAll, describe, expect, test } from "bun:test";
import { type AnyMeshEvent, decodeHttp } from "@event-mesh/contracts";
import { mountSmallDisk, unavailableProblem } from "@event-mesh/service-kit";
import { afterEachTest, call, idOf, metric, spawnService, waitFor, waitReady } from "./helpers.ts";

const disk = mountSmallDisk(2048);
if (!disk) console.warn("full-disk tests skipped: cannot mount a tmpfs here (needs root)");
afterAll(() => disk?.close());

const { running, cleanups } = afterEachTest();

/** The gateway's ingest as a real server that records the events it is sent. */
function gateway() {
  const events: AnyMeshEvent[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (new URL(request.url).pathname === "/healthz") return Response.json({ status: "ok" });
      const decoded = decodeHttp({ headers: request.headers, body: await request.text() });
      if (!decoded.ok) return new Response(null, { status: 400 });
      for (const result of decoded.results) if (result.ok) events.push(result.event);
      return new Response(null, { status: 202 });
    },
  });
  cleanups.push(() => server.stop(true));
  return { events, url: `http://127.0.0.1:${server.port}` };
}

describe.skipIf(!disk)("on a full disk", () => {
  test("create answers 503 with Retry-After, stores nothing, and succeeds once space is back", async () => {
    if (!disk) throw new Error("no full-disk mount although the suite was not skipped");
    const ingest = gateway();
    const { service, lines } = spawnService({ DATA_DIR: disk.dir, GATEWAY_URL: ingest.url });
    running.push(service);
    await waitReady(service);
    disk.fill();
    // Pages SQLite already holds (a WAL reset by a checkpoint is rewritten in place) take a few
    // more writes; the first write that needs a new page meets the full disk.
    const post = (user: { email: string; name: string }) =>
      fetch(`${service.url}/users`, {
        method: "POST",
        headers: { authorization: "Bearer tenant-a:user-1", "content-type": "application/json" },
        body: JSON.stringify(user),
      });
    const storedBefore: string[] = [];
    let alice = { email: "alice-0@a.dev", name: "Alice" };
    let refused = await post(alice);
    while (refused.status === 201 && storedBefore.length < 2000) {
      storedBefore.push(idOf(await refused.json()));
      alice = { email: `alice-${storedBefore.length}@a.dev`, name: "Alice" };
      refused = await post(alice);
    }
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    const requestId = refused.headers.get("x-request-id");
    const text = await refused.text();
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.parse(text)).toEqual(
      unavailableProblem("store is unavailable; retry later", "/users", {
        details: { dependency: "store" },
        requestId,
      }),
    );
    expect(text).not.toContain("SQLITE");
    // The details went to the log, under the same request id.
    await waitFor("the storage warning", () =>
      lines.some((line) => line.includes("SQLITE_FULL") && line.includes(String(requestId))),
    );

    disk.free();
    const created = await call(service, "POST", "/users", alice);
    expect(created.status).toBe(201);
    const id = idOf(created.json);
    // Nothing partial from the refused attempt: the user once, its event once, after the others.
    const got = await call(service, "GET", `/users/${id}`);
    expect(got.json).toMatchObject({ id, email: alice.email });
    await waitFor(
      "the outbox to drain",
      async () => (await metric(service, "user_service_outbox_depth_events")) === 0,
    );
    expect(ingest.events.map((event) => [event.type, "id" in event.data && event.data.id])).toEqual(
      [...storedBefore, id].map((each) => ["user.created", each]),
    );
  }, 60_000);
});
