import { expect, test } from "bun:test";
import { Hono } from "hono";
import { onError } from "./errors.ts";
import { onNoRoute } from "./no-route.ts";
import { readError } from "./testing.ts";

const app = new Hono();
app.onError(onError({ error() {} }));
app.notFound(onNoRoute(app));
app.use(async function everyRequest(_c, next) {
  await next();
});
const sub = new Hono();
sub.get("/items", (c) => c.json([]));
sub.post("/items", (c) => c.json({}, 201));
sub.post("/items/create", (c) => c.json({}, 201));
sub.get("/items/:id", (c) => c.json({ id: c.req.param("id") }));
sub.delete("/items/:id", (c) => c.body(null, 204));
app.route("/", sub);

test("answers 405 with Allow for a method the path does not have", async () => {
  const response = await app.request("/items", { method: "PUT" });
  expect(response.status).toBe(405);
  expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
  expect(await readError(response)).toEqual({
    code: "method_not_allowed",
    message: "PUT is not allowed on /items; allowed: GET, HEAD, POST",
  });
});

test("lists the methods of a templated path for any of its instances", async () => {
  const response = await app.request("/items/42", { method: "PATCH" });
  expect(response.status).toBe(405);
  expect(response.headers.get("allow")).toBe("GET, HEAD, DELETE");
});

test("a path that is a route of its own is that resource, not an instance of /items/:id", async () => {
  const response = await app.request("/items/create", { method: "OPTIONS" });
  expect(response.status).toBe(405);
  expect(response.headers.get("allow")).toBe("POST");
});

test("answers 404 without Allow where no route has the path", async () => {
  const response = await app.request("/nothing", { method: "DELETE" });
  expect(response.status).toBe(404);
  expect(response.headers.get("allow")).toBeNull();
  expect(await readError(response)).toEqual({
    code: "not_found",
    message: "no route DELETE /nothing",
  });
});

test("the methods a path has still answer", async () => {
  expect((await app.request("/items", { method: "POST" })).status).toBe(201);
  expect((await app.request("/items", { method: "HEAD" })).status).toBe(200);
});
