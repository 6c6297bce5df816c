import { expect, test } from "bun:test";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { auth } from "./auth.ts";
import { errorResponse, mountDocs } from "./docs.ts";
import { onError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { validate } from "./validate.ts";

const app = new Hono();
app.get("/healthz", describeRoute({ summary: "Liveness" }), (c) => c.json({ status: "ok" }));
app.use("/items/*", auth({ mode: "dev" }));
app.post(
  "/items/:id",
  describeRoute({
    summary: "Create an item",
    responses: { 201: { description: "created" }, 409: errorResponse("already exists") },
  }),
  jsonBody(),
  validate("json", v.strictObject({ name: v.pipe(v.string(), v.minLength(1)) })),
  (c) => c.json({}, 201),
);
app.get(
  "/items/:id",
  describeRoute({ summary: "Get an item" }),
  validate(
    "query",
    v.object({
      limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,2}$/), v.transform(Number)), "5"),
      owner: v.optional(v.pipe(v.string(), v.email())),
    }),
  ),
  (c) => c.json({}),
);
mountDocs(app, { title: "Items", version: "1.2.3", description: "Test items." });

interface Operation {
  security?: unknown;
  parameters: {
    name: string;
    schema: { type?: string; pattern?: string; format?: string; default?: string };
  }[];
  responses: Record<string, { description: string }>;
}

async function spec() {
  const response = await app.request("/openapi.json");
  expect(response.status).toBe(200);
  return response.json() as Promise<{ paths: Record<string, Record<string, Operation>> }>;
}

async function operation(path: string, method: string): Promise<Operation> {
  const found = (await spec()).paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
}

test("serves an OpenAPI document generated from the route schemas", async () => {
  expect(await spec()).toMatchObject({
    openapi: expect.stringMatching(/^3\./),
    info: { title: "Items", version: "1.2.3", description: "Test items." },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths: {
      "/items/{id}": {
        post: {
          summary: "Create an item",
          requestBody: {
            content: {
              "application/json": {
                schema: { type: "object", required: ["name"], additionalProperties: false },
              },
            },
          },
          responses: {
            201: { description: "created" },
            400: {
              content: {
                "application/problem+json": {
                  schema: { required: ["type", "title", "status", "detail", "instance", "code"] },
                },
              },
            },
            409: { description: "already exists" },
          },
        },
      },
    },
  });
});

test("each middleware documents what it answers: auth its 401 and security, jsonBody 413 and 415", async () => {
  const post = await operation("/items/{id}", "post");
  expect(post.security).toEqual([{ bearer: [] }]);
  expect(Object.keys(post.responses).sort()).toEqual(["201", "400", "401", "409", "413", "415"]);
  expect(post.responses[401]?.description).toContain("WWW-Authenticate");
});

test("a route without auth is declared public with security: []", async () => {
  for (const path of ["/healthz", "/openapi.json", "/docs"]) {
    expect((await operation(path, "get")).security).toEqual([]);
  }
});

test("a query parameter is documented as the string the client sends, e-mail with valibot's regex", async () => {
  const { parameters } = await operation("/items/{id}", "get");
  const schemaOf = (name: string) => parameters.find((p) => p.name === name)?.schema;
  expect(schemaOf("limit")).toEqual({ type: "string", pattern: "^[0-9]{1,2}$", default: "5" });
  expect(schemaOf("owner")?.format).toBeUndefined();
  const owner = new RegExp(schemaOf("owner")?.pattern ?? "");
  expect(owner.test("alice@tenant-a.dev")).toBe(true);
  expect(owner.test("älice@tenant-a.dev")).toBe(false);
});

test("a rule JSON Schema cannot state stops the document instead of leaving it looser", async () => {
  const loose = new Hono();
  loose.onError(onError({ error() {} }));
  loose.post(
    "/things",
    validate(
      "json",
      v.pipe(
        v.object({ a: v.optional(v.string()) }),
        v.check(() => true),
      ),
    ),
    (c) => c.json({}),
  );
  mountDocs(loose, { title: "Loose", version: "1" });
  expect((await loose.request("/openapi.json")).status).toBe(500);
});

test("serves the API reference page pointing at the document", async () => {
  const response = await app.request("/docs");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/html");
  expect(await response.text()).toContain("/openapi.json");
});
