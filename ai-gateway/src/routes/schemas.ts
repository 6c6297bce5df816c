import { EVENT_REGISTRY, eventDataJsonSchema, type Registry } from "@event-mesh/contracts";
import { errorResponse, notFound } from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";

/**
 * `GET /schemas/{type}.json`: the JSON Schema of an event type's data, declared types included
 * (what `bun run contracts:generate` writes for the built-in ones), generated once at start-up.
 */
export function schemaRoutes(registry: Registry = EVENT_REGISTRY) {
  const schemas = new Map(
    Object.keys(registry).map((type) => [`${type}.json`, eventDataJsonSchema(type, registry)]),
  );
  const app = new Hono();
  app.get(
    "/schemas/:file",
    describeRoute({
      tags: ["reference"],
      summary: "The JSON Schema of an event type's data (`/schemas/invoice.paid.json`)",
      responses: {
        200: {
          description: "A JSON Schema (draft-07)",
          content: { "application/schema+json": { schema: { type: "object" } } },
        },
        404: errorResponse("No such event type"),
      },
    }),
    (c) => {
      const file = c.req.param("file");
      const schema = schemas.get(file);
      if (!schema) throw notFound(`no event type "${file.slice(0, 100)}"; see /asyncapi.json`);
      return c.body(JSON.stringify(schema, null, 2), 200, {
        "content-type": "application/schema+json",
      });
    },
  );
  return app;
}
