import { expect, test } from "bun:test";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { errorResponse, mountDocs } from "./docs.ts";
import { validate } from "./validate.ts";

const app = new Hono();
app.post(
  "/items/:id",
  describeRoute({
    summary: "Create an item",
    responses: { 201: { description: "created" }, 409: errorResponse("already exists") },
  }),
  validate("json", v.strictObject({ name: v.pipe(v.string(), v.minLength(1)) })),
  (c) => c.json({}, 201),
);
mountDocs(app, { title: "Items", version: "1.2.3", description: "Test items." });

test("serves an OpenAPI document generated from the route schemas", async () => {
  const response = await app.request("/openapi.json");
  expect(response.status).toBe(200);
  const spec = await response.json();
  expect(spec).toMatchObject({
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
            400: { content: { "application/json": { schema: { required: ["error"] } } } },
            409: { description: "already exists" },
          },
        },
      },
    },
  });
  expect(spec).not.toHaveProperty(["paths", "/openapi.json"]);
});

test("serves the API reference page pointing at the document", async () => {
  const response = await app.request("/docs");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/html");
  expect(await response.text()).toContain("/openapi.json");
});
