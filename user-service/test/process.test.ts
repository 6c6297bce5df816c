import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { type AnyMeshEvent, decodeHttp } from "@event-mesh/contracts";
import {
  afterEachTest,
  call,
  idOf,
  metric,
  spawnService,
  tempDataDir,
  waitFor,
  waitReady,
} from "./helpers.ts";

const { running, cleanups } = afterEachTest();

/** The gateway's ingest as a real server: records the events it accepts; can be switched down. */
function gateway() {
  const state = { up: true, events: [] as AnyMeshEvent[], refused: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (new URL(request.url).pathname === "/healthz") return Response.json({ status: "ok" });
      if (!state.up) {
        state.refused++;
        return new Response(null, { status: 503 });
      }
      const decoded = decodeHttp({ headers: request.headers, body: await request.text() });
      if (!decoded.ok) return new Response(null, { status: 400 });
      for (const result of decoded.results) if (result.ok) state.events.push(result.event);
      return new Response(null, { status: 202 });
    },
  });
  cleanups.push(() => server.stop(true));
  return { state, url: `http://127.0.0.1:${server.port}` };
}

function dataDir(): string {
  const dir = tempDataDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("refuses to start with bad variables, naming each one, exit code 1", async () => {
  const { service, lines } = spawnService({
    DATA_DIR: dataDir(),
    GATEWAY_URL: "not a url",
    RELAY_BATCH_MAX: "0",
    NODE_ENV: "production",
    AUTH_MODE: "dev",
  });
  expect(await service.exited).toBe(1);
  const output = lines.join("\n");
  expect(output).toContain("GATEWAY_URL:");
  expect(output).toContain("RELAY_BATCH_MAX:");
  expect(output).toContain("AUTH_MODE: dev is refused when NODE_ENV=production");
}, 30_000);

test("says which variable to set when the port is taken", async () => {
  const taken = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  cleanups.push(() => taken.stop(true));
  const { service, lines } = spawnService({ DATA_DIR: dataDir() }, taken.port);
  expect(await service.exited).toBe(1);
  expect(lines).toContain(`port ${taken.port} is already in use; set PORT`);
}, 30_000);

test("SIGTERM delivers what the outbox still holds, then exits 0", async () => {
  const ingest = gateway();
  ingest.state.up = false;
  const dir = dataDir();
  const { service } = spawnService({
    DATA_DIR: dir,
    GATEWAY_URL: ingest.url,
    SHUTDOWN_TIMEOUT_MS: "20000",
  });
  running.push(service);
  await waitReady(service);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const created = await call(service, "POST", "/users", { email: `s${i}@a.dev`, name: `S ${i}` });
    expect(created.status).toBe(201);
    ids.push(idOf(created.json));
  }
  await waitFor("a refused delivery", () => ingest.state.refused > 0);
  expect(await metric(service, "user_service_outbox_depth_events")).toBe(20);

  ingest.state.up = true;
  expect(await service.stop()).toBe(0);
  expect(ingest.state.events.map((event) => ("id" in event.data ? event.data.id : ""))).toEqual(
    ids,
  );
  // Nothing left for the next start either.
  const again = spawnService({ DATA_DIR: dir, GATEWAY_URL: ingest.url });
  running.push(again.service);
  await waitReady(again.service);
  expect(await metric(again.service, "user_service_outbox_depth_events")).toBe(0);
}, 60_000);

test("logs one JSON line per request, without tokens or e-mail addresses", async () => {
  const ingest = gateway();
  const { service, lines } = spawnService({ DATA_DIR: dataDir(), GATEWAY_URL: ingest.url });
  running.push(service);
  await waitReady(service);
  const response = await fetch(`${service.url}/users`, {
    method: "POST",
    headers: {
      authorization: "Bearer tenant-a:user-1",
      "content-type": "application/json",
      "x-request-id": "trace-42",
    },
    body: JSON.stringify({ email: "private.person@tenant-a.dev", name: "Private" }),
  });
  expect(response.status).toBe(201);
  expect(response.headers.get("x-request-id")).toBe("trace-42");
  await call(service, "POST", "/users", { email: "private.person@tenant-a.dev", name: "Again" });
  await waitFor(
    "the request lines",
    () => lines.filter((line) => line.includes('"route":"/users"')).length >= 2,
  );
  const requestLine = lines
    .map((line) => JSON.parse(line))
    .find((entry) => entry.requestId === "trace-42");
  expect(requestLine).toMatchObject({
    msg: "request",
    method: "POST",
    route: "/users",
    status: 201,
  });
  const all = lines.join("\n");
  expect(all).not.toContain("private.person");
  expect(all).not.toContain("tenant-a:user-1");
}, 30_000);
