import { expect, test } from "bun:test";
import { tracingChannel } from "node:diagnostics_channel";
import { Hono } from "hono";
import { createLogger, type RequestVariables, requestLogger } from "./logger.ts";

function appLogging() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: "test",
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

test("logs 404s as unmatched, not the raw path", async () => {
  const { app, lines } = appLogging();
  await app.request("/secret/path/of/alice@example.com");
  expect(lines[0]).toMatchObject({ route: "unmatched", status: 404 });
  expect(JSON.stringify(lines)).not.toContain("alice@");
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
