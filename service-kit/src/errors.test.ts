import { expect, test } from "bun:test";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  AppError,
  ConfigError,
  conflict,
  describeError,
  invalidInput,
  onError,
  onNotFound,
} from "./errors.ts";

function appThrowing(error: Error) {
  const logged: unknown[] = [];
  const app = new Hono();
  app.onError(onError({ error: (object) => logged.push(object) }));
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
