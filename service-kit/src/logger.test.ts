import { expect, test } from "bun:test";
import { tracingChannel } from "node:diagnostics_channel";
import { Hono } from "hono";
import {
  createLogger,
  type LogLevel,
  PROBE_ROUTES,
  type RequestVariables,
  requestLogger,
} from "./logger.ts";

function appLogging(level: LogLevel = "info") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: "test",
    level,
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  const app = new Hono<{ Variables: RequestVariables }>();
  app.use(requestLogger(logger));
  app.post("/users/:id", (c) => c.json({ requestId: c.get("requestId") }, 201));
  return { app, lines, logger };
}

test("logs one JSON line per request with the route pattern, status and request id", async () => {
  const { app, lines } = appLogging();
  const response = await app.request("/users/42", {
    method: "POST",
    headers: { "x-request-id": "req-1", authorization: "Bearer tenant-a:user-1" },
    body: JSON.stringify({ email: "alice@tenant-a.dev" }),
  });
  expect(response.status).toBe(201);
  expect(response.headers.get("x-request-id")).toBe("req-1");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: "info",
    name: "test",
    msg: "request",
    requestId: "req-1",
    method: "POST",
    route: "/users/:id",
    status: 201,
  });
  const text = JSON.stringify(lines);
  expect(text).not.toContain("tenant-a:user-1");
  expect(text).not.toContain("alice@");
});

test("makes a request id when the client sends none or an unusable one", async () => {
  const { app, lines } = appLogging();
  const first = await app.request("/users/1", { method: "POST" });
  const second = await app.request("/users/1", {
    method: "POST",
    headers: { "x-request-id": "bad id with spaces" },
  });
  const ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")];
  expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids[0]).not.toBe(ids[1]);
  expect(lines.map((line) => line.requestId)).toEqual(ids);
  expect(await first.json()).toEqual({ requestId: ids[0] });
});

test("logs a 404 with its method and path, an e-mail address in the path censored", async () => {
  const { app, lines } = appLogging();
  await app.request("/userz/42?token=query-secret-42", { method: "DELETE" });
  await app.request("/secret/path/of/alice@example.com/x");
  expect(lines).toMatchObject([
    { level: "info", route: "unmatched", method: "DELETE", path: "/userz/42", status: 404 },
    { route: "unmatched", method: "GET", path: "/secret/path/of/[redacted]/x", status: 404 },
  ]);
  expect(JSON.stringify(lines)).not.toContain("alice@");
  expect(JSON.stringify(lines)).not.toContain("query-secret-42");
});

test("a matched route's line has its pattern and no path", async () => {
  const { app, lines } = appLogging();
  await app.request("/users/alice@example.com", { method: "POST" });
  expect(lines[0]).toMatchObject({ route: "/users/:id", status: 201 });
  expect(lines[0]).not.toHaveProperty("path");
});

function probedApp(level: LogLevel) {
  const { app, lines } = appLogging(level);
  for (const route of PROBE_ROUTES) app.get(route, (c) => c.text("ok"));
  return { app, lines };
}

test("probes and reference pages log at debug: nothing at the default level", async () => {
  const { app, lines } = probedApp("info");
  for (const path of ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/asyncapi"]) {
    expect((await app.request(path)).status).toBe(200);
  }
  for (const path of ["/asyncapi.json", "/docs/scalar.js", "/asyncapi/asyncapi.js"]) {
    expect((await app.request(path)).status).toBe(200);
  }
  expect(lines).toEqual([]);
  await app.request("/users/1", { method: "POST" });
  expect(lines).toMatchObject([{ level: "info", route: "/users/:id" }]);
});

test("a readiness probe answering 503 still logs at warn", async () => {
  const { app, lines } = appLogging("info");
  app.get("/readyz", (c) => c.text("store down", 503));
  await app.request("/readyz");
  expect(lines).toMatchObject([{ level: "warn", route: "/readyz", status: 503 }]);
});

test("a 504 (a search's write not searchable yet) logs at warn; other 5xx at error", async () => {
  const { app, lines } = appLogging("info");
  app.get("/search", (c) => c.text("not searchable yet", 504));
  app.get("/boom", (c) => c.text("bug", 500));
  await app.request("/search");
  await app.request("/boom");
  expect(lines).toMatchObject([
    { level: "warn", route: "/search", status: 504 },
    { level: "error", route: "/boom", status: 500 },
  ]);
});

test("at LOG_LEVEL=debug a probe's line is there, at debug", async () => {
  const { app, lines } = probedApp("debug");
  await app.request("/readyz");
  expect(lines).toMatchObject([{ level: "debug", route: "/readyz", status: 200 }]);
});

test("redacts e-mails, tokens and secrets that a caller logs by mistake", () => {
  const { lines, logger } = appLogging();
  logger.info({ email: "a@b.c", user: { email: "a@b.c", token: "t0k" }, secret: "s" }, "oops");
  expect(lines[0]).toMatchObject({
    email: "[redacted]",
    user: { email: "[redacted]", token: "[redacted]" },
    secret: "[redacted]",
  });
});

test("tracing channels answer hasSubscribers as in Node, so pino skips tracing when none listens", () => {
  const channel = tracingChannel("event-mesh:test");
  expect(channel.hasSubscribers).toBe(false);
  const handlers = { start() {} };
  channel.subscribe(handlers);
  expect(channel.hasSubscribers).toBe(true);
  channel.unsubscribe(handlers);
});

test("redacts those fields in arrays, deeper objects and child loggers' bindings", () => {
  const { lines, logger } = appLogging();
  logger
    .child({ token: "child-t0k" })
    .warn({ users: [{ email: "a@b.c", name: "A" }], a: { b: { password: "pw", ok: 1 } } }, "oops");
  expect(lines[0]).toMatchObject({
    token: "[redacted]",
    users: [{ email: "[redacted]", name: "A" }],
    a: { b: { password: "[redacted]", ok: 1 } },
  });
  expect(JSON.stringify(lines)).not.toMatch(/child-t0k|a@b\.c|"pw"/);
});

test("leaves the logged object itself untouched", () => {
  const { logger } = appLogging();
  const fields = { user: { email: "a@b.c" } };
  logger.info(fields, "oops");
  expect(fields.user.email).toBe("a@b.c");
});

test("echoes the request id on error answers and on Response objects a handler builds", async () => {
  const { app } = appLogging();
  app.onError((_error, c) => c.json({ error: "boom" }, 500));
  app.get("/raw", () => new Response("raw"));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  for (const path of ["/raw", "/boom", "/nowhere"]) {
    const response = await app.request(path, { headers: { "x-request-id": `id-${path.length}` } });
    expect(response.headers.get("x-request-id")).toBe(`id-${path.length}`);
  }
});
