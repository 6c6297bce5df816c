import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  AppError,
  ConfigError,
  conflict,
  dependencyDown,
  describeError,
  invalidInput,
  onError,
  onNotFound,
} from "./errors.ts";
import { createLogger, requestLogger } from "./logger.ts";

function appThrowing(error: Error) {
  const logged: Record<string, unknown>[] = [];
  const app = new Hono();
  app.onError(
    onError({ error: (object) => logged.push(object), warn: (object) => logged.push(object) }),
  );
  app.notFound(onNotFound);
  app.get("/boom", () => {
    throw error;
  });
  return { app, logged };
}

test("renders an AppError with its status, code, message and details", async () => {
  const { app, logged } = appThrowing(invalidInput([{ path: "email", message: "bad" }]));
  const response = await app.request("/boom");
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    error: {
      code: "invalid_input",
      message: "invalid input",
      details: [{ path: "email", message: "bad" }],
    },
  });
  expect(logged).toEqual([]);
});

test("leaves details out when there are none", async () => {
  const response = await appThrowing(conflict("taken")).app.request("/boom");
  expect(response.status).toBe(409);
  expect(await response.json()).toEqual({ error: { code: "conflict", message: "taken" } });
});

test("answers an unknown error with a bare 500 and logs it", async () => {
  const { app, logged } = appThrowing(new Error("db password is hunter2"));
  const response = await app.request("/boom");
  expect(response.status).toBe(500);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({
    error: { code: "internal", message: "internal server error" },
  });
  expect(text).not.toContain("hunter2");
  expect(logged).toHaveLength(1);
});

test("maps Hono's own exceptions to the error body", async () => {
  const response = await appThrowing(new HTTPException(413, { message: "too big" })).app.request(
    "/boom",
  );
  expect(response.status).toBe(413);
  expect(await response.json()).toEqual({
    error: { code: "payload_too_large", message: "too big" },
  });
});

test("answers unknown routes with a 404 error body", async () => {
  const response = await appThrowing(new Error()).app.request("/nowhere", { method: "POST" });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    error: { code: "not_found", message: "no route POST /nowhere" },
  });
});

test("a ConfigError lists every problem on its own line", () => {
  const error = new ConfigError(["PORT: bad", "HOST: bad"]);
  expect(error.message.split("\n")).toEqual([
    "invalid configuration:",
    "  PORT: bad",
    "  HOST: bad",
  ]);
  expect(new AppError(418, "conflict", "x")).toBeInstanceOf(Error);
});

test("describeError spells out the errors a client wrapped", () => {
  const refused = new Error("connect ECONNREFUSED 127.0.0.1:1");
  const wrapped = new AggregateError(
    [new Error("Connection failed.", { cause: refused })],
    "Listing topics failed.",
  );
  expect(describeError(wrapped)).toBe(
    "Listing topics failed. (Connection failed. (connect ECONNREFUSED 127.0.0.1:1))",
  );
  expect(describeError("plain")).toBe("plain");
});

/** A real SQLITE_FULL: a database file whose page limit is reached by one large row. */
function sqliteFullError(): unknown {
  const dir = mkdtempSync(join(tmpdir(), "full-"));
  const db = new Database(join(dir, "full.db"), { create: true });
  try {
    db.run("CREATE TABLE t (v BLOB)");
    const { page_count } = db.query<{ page_count: number }, []>("PRAGMA page_count").get() ?? {
      page_count: 0,
    };
    db.run(`PRAGMA max_page_count = ${page_count}`);
    db.run("INSERT INTO t VALUES (?)", [new Uint8Array(64 * 1024)]);
    return null;
  } catch (error) {
    return error;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a full disk (SQLITE_FULL) is a 503 naming the store with Retry-After, not a 500", async () => {
  const full = sqliteFullError();
  expect(full).toMatchObject({ code: "SQLITE_FULL" });
  const { app, logged } = appThrowing(full as Error);
  const response = await app.request("/boom");
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({
    error: {
      code: "service_unavailable",
      message: "store is unavailable; retry later",
      details: { dependency: "store" },
    },
  });
  expect(text).not.toContain("SQLITE");
  expect(text).not.toContain("disk is full");
  expect(logged).toHaveLength(1);
});

test("storage failures wrapped in another error, and busy or I/O errors, are 503 too", async () => {
  for (const code of ["SQLITE_IOERR_WRITE", "SQLITE_BUSY", "SQLITE_READONLY", "ENOSPC"]) {
    const inner = Object.assign(new Error("disk trouble"), { code });
    const response = await appThrowing(new Error("create failed", { cause: inner })).app.request(
      "/boom",
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  }
  const constraint = Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT_UNIQUE" });
  expect((await appThrowing(constraint).app.request("/boom")).status).toBe(500);
});

test("a dependency failure names the dependency; what it said is logged, not sent", async () => {
  const refused = new TypeError("fetch failed: ECONNREFUSED 10.0.0.7:11434");
  const { app, logged } = appThrowing(dependencyDown("embedder", refused));
  const response = await app.request("/boom");
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("1");
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({
    error: {
      code: "service_unavailable",
      message: "embedder is unavailable; retry later",
      details: { dependency: "embedder" },
    },
  });
  expect(text).not.toContain("ECONNREFUSED");
  expect(JSON.stringify(logged)).toContain("ECONNREFUSED 10.0.0.7:11434");
});

test("every response carries X-Request-Id, and error bodies quote it", async () => {
  const app = new Hono();
  const logger = createLogger({ name: "test", level: "silent" });
  app.onError(onError(logger));
  app.notFound(onNotFound);
  app.use(requestLogger(logger));
  app.get("/ok", (c) => c.json({ ok: true }));
  app.get("/boom", () => {
    throw new Error("bug");
  });
  app.get("/down", () => {
    throw dependencyDown("embedder", new Error("refused"));
  });
  for (const path of ["/ok", "/boom", "/down", "/nowhere"]) {
    const response = await app.request(path);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as { error?: { requestId?: string } };
    if (path !== "/ok") expect(body.error?.requestId).toBe(id ?? "");
  }
  const given = await app.request("/boom", { headers: { "x-request-id": "trace-42" } });
  expect(given.headers.get("x-request-id")).toBe("trace-42");
  expect(((await given.json()) as { error: { requestId: string } }).error.requestId).toBe(
    "trace-42",
  );
});
