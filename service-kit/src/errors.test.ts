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
import { ERROR_CODES, ERROR_TITLES } from "./problem.ts";
import { unavailableProblem } from "./testing.ts";

const problem = (code: string) => `https://event-mesh.dev/problems/${code}`;

/** The problem document of `response`, after checking its RFC 9457 media type. */
async function problemOf(response: Response): Promise<unknown> {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return response.json();
}

/**
 * Checks that `response` has `status` and is the problem document of `code` with `title` and
 * `detail` at `/boom`; `extra` adds members or overrides `instance`.
 */
async function expectProblem(
  response: Response,
  expected: { code: string; title: string; status: number; detail: string },
  extra: Record<string, unknown> = {},
) {
  const { code, title, status, detail } = expected;
  expect(response.status).toBe(status);
  expect(await problemOf(response)).toEqual({
    type: problem(code),
    title,
    status,
    detail,
    instance: "/boom",
    code,
    ...extra,
  });
}

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

test("renders an AppError as an RFC 9457 problem document, code and details as extensions", async () => {
  const { app, logged } = appThrowing(invalidInput([{ path: "email", message: "bad" }]));
  const response = await app.request("/boom?q=secret");
  await expectProblem(
    response,
    { code: "invalid_input", title: "Invalid input", status: 400, detail: "invalid input" },
    { details: [{ path: "email", message: "bad" }] },
  );
  expect(logged).toEqual([]);
});

test("leaves details out when there are none", async () => {
  const response = await appThrowing(conflict("taken")).app.request("/boom");
  await expectProblem(response, {
    code: "conflict",
    title: "Conflict",
    status: 409,
    detail: "taken",
  });
});

test("every code has its own type URI and a fixed, non-empty title", () => {
  expect(Object.keys(ERROR_TITLES)).toEqual(ERROR_CODES);
  for (const code of ERROR_CODES) expect(ERROR_TITLES[code].length).toBeGreaterThan(0);
  expect(new Set(Object.values(ERROR_TITLES)).size).toBe(ERROR_CODES.length);
});

test("instance is the path as the client sent it, percent-encoded, without the query", async () => {
  const { app } = appThrowing(new Error());
  const response = await app.request("/caf%C3%A9%20menu?x=1");
  expect(await problemOf(response)).toMatchObject({ status: 404, instance: "/caf%C3%A9%20menu" });
});

test("answers an unknown error with a bare 500 and logs it", async () => {
  const { app, logged } = appThrowing(new Error("db password is hunter2"));
  const response = await app.request("/boom");
  expect(response.status).toBe(500);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({
    type: problem("internal"),
    title: "Internal server error",
    status: 500,
    detail: "internal server error",
    instance: "/boom",
    code: "internal",
  });
  expect(text).not.toContain("hunter2");
  expect(logged).toHaveLength(1);
});

test("maps Hono's own exceptions to problem documents", async () => {
  const response = await appThrowing(new HTTPException(413, { message: "too big" })).app.request(
    "/boom",
  );
  await expectProblem(response, {
    code: "payload_too_large",
    title: "Payload too large",
    status: 413,
    detail: "too big",
  });
  const limited = await appThrowing(new HTTPException(429, { message: "slow down" })).app.request(
    "/boom",
  );
  expect(limited.status).toBe(429);
  expect(await problemOf(limited)).toMatchObject({
    type: problem("too_many_requests"),
    status: 429,
    code: "too_many_requests",
  });
});

test("answers unknown routes with a 404 problem document", async () => {
  const response = await appThrowing(new Error()).app.request("/nowhere", { method: "POST" });
  await expectProblem(
    response,
    { code: "not_found", title: "Not found", status: 404, detail: "no route POST /nowhere" },
    { instance: "/nowhere" },
  );
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

test("describeError names the project's own error code first, not a system one", () => {
  const failed = Object.assign(new Error("embeddings server answered 502"), {
    code: "embedder_failed",
  });
  expect(describeError(failed)).toBe("embedder_failed: embeddings server answered 502");
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  expect(describeError(refused)).toBe("connect ECONNREFUSED");
});

test("describeError without causes says what /readyz may: no address from inside", () => {
  const wrapped = Object.assign(
    new Error("embeddings server unreachable", { cause: new Error("connect 10.0.0.7:8080") }),
    { code: "embedder_failed" },
  );
  expect(describeError(wrapped, { causes: false })).toBe(
    "embedder_failed: embeddings server unreachable",
  );
  expect(describeError(wrapped)).toContain("10.0.0.7");
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

/** Checks a 503 problem document naming `dependency`, with its Retry-After; answers the body. */
async function unavailable(response: Response, dependency: string, retryAfter: string) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual(
    unavailableProblem(`${dependency} is unavailable; retry later`, "/boom", {
      details: { dependency },
    }),
  );
  return text;
}

test("a full disk (SQLITE_FULL) is a 503 naming the store with Retry-After, not a 500", async () => {
  const full = sqliteFullError();
  expect(full).toMatchObject({ code: "SQLITE_FULL" });
  const { app, logged } = appThrowing(full as Error);
  const text = await unavailable(await app.request("/boom"), "store", "5");
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
  const text = await unavailable(await app.request("/boom"), "embedder", "1");
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
    const body = (await response.json()) as { requestId?: string };
    if (path !== "/ok") expect(body.requestId).toBe(id ?? "");
  }
  const given = await app.request("/boom", { headers: { "x-request-id": "trace-42" } });
  expect(given.headers.get("x-request-id")).toBe("trace-42");
  expect(((await given.json()) as { requestId: string }).requestId).toBe("trace-42");
});
