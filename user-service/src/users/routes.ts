import { createHash } from "node:crypto";
import {
  type AuthVariables,
  errorResponse,
  jsonBody,
  type RequestVariables,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { describeRoute, resolver } from "hono-openapi";
import {
  emailTaken,
  idempotencyKeyReused,
  invalidCursor,
  invalidIdempotencyKey,
  userNotFound,
} from "../errors.ts";
import type { UserStore } from "../store/index.ts";
import {
  CreateUserBody,
  decodeCursor,
  encodeCursor,
  ListUsersQuery,
  UpdateUserBody,
  UserPageSchema,
  UserSchema,
} from "./schemas.ts";

type Env = { Variables: AuthVariables & RequestVariables };

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
const json = (schema: Parameters<typeof resolver>[0]) => ({
  "application/json": { schema: resolver(schema) },
});
const common = {
  400: errorResponse("Invalid input: the fields at fault"),
  401: errorResponse("Missing or invalid token"),
};

/** The users resource. The tenant always comes from the token, never from the request. */
export function usersRoutes(store: UserStore): Hono<Env> {
  const app = new Hono<Env>();

  const createRoute = describeRoute({
    tags: ["users"],
    summary: "Create a user",
    description:
      "Writes the user and its `user.created` event in one transaction. With an `Idempotency-Key`, a retry with the same body returns the first answer.",
    parameters: [
      {
        in: "header",
        name: "Idempotency-Key",
        required: false,
        schema: { type: "string", maxLength: 255 },
        description:
          "Same key and body within 24 h: the first response again, nothing new created.",
      },
    ],
    responses: {
      201: { description: "Created", content: json(UserSchema) },
      ...common,
      409: errorResponse("E-mail already used in this tenant (case-insensitive)"),
      413: errorResponse("Body larger than 16 KiB"),
      415: errorResponse("Body is not application/json"),
      422: errorResponse("Idempotency-Key reused with another body"),
    },
  });
  // One handler chain for the original route and the REST one.
  const create = createFactory<Env>().createHandlers(
    createRoute,
    jsonBody(),
    validate("json", CreateUserBody),
    async (c) => {
      const { tenantId } = c.get("auth");
      const body = c.req.valid("json");
      const key = c.req.header("idempotency-key");
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw invalidIdempotencyKey();
      // The body's hash tells a replay from a reuse; only needed with a key.
      const idempotency =
        key === undefined
          ? undefined
          : {
              key,
              hash: createHash("sha256")
                .update(JSON.stringify([body.email, body.name]))
                .digest("hex"),
            };
      const result = await store.create(tenantId, body, idempotency);
      if (!result.ok) throw result.reason === "email_taken" ? emailTaken() : idempotencyKeyReused();
      if (result.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(result.body, 201);
    },
  );
  app.post("/users", ...create);
  app.post("/users/create", ...create);

  app.get(
    "/users",
    describeRoute({
      tags: ["users"],
      summary: "List the tenant's users, oldest first",
      responses: { 200: { description: "A page", content: json(UserPageSchema) }, ...common },
    }),
    validate("query", ListUsersQuery),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && after === undefined) throw invalidCursor();
      const page = await store.list(c.get("auth").tenantId, { limit, after });
      return c.json({
        users: page.users,
        nextCursor: page.lastId === undefined ? null : encodeCursor(page.lastId),
      });
    },
  );

  const notFoundResponse = errorResponse("No such user in the caller's tenant");

  app.get(
    "/users/:id",
    describeRoute({
      tags: ["users"],
      summary: "Get a user",
      responses: {
        200: { description: "The user", content: json(UserSchema) },
        401: common[401],
        404: notFoundResponse,
      },
    }),
    async (c) => {
      const user = await store.get(c.get("auth").tenantId, c.req.param("id"));
      if (!user) throw userNotFound();
      return c.json(user);
    },
  );

  app.patch(
    "/users/:id",
    describeRoute({
      tags: ["users"],
      summary: "Change a user's e-mail and/or name",
      responses: {
        200: { description: "The changed user", content: json(UserSchema) },
        ...common,
        404: notFoundResponse,
        409: errorResponse("E-mail already used in this tenant"),
        413: errorResponse("Body larger than 16 KiB"),
        415: errorResponse("Body is not application/json"),
      },
    }),
    jsonBody(),
    validate("json", UpdateUserBody),
    async (c) => {
      const result = await store.update(
        c.get("auth").tenantId,
        c.req.param("id"),
        c.req.valid("json"),
      );
      if (!result.ok) throw result.reason === "not_found" ? userNotFound() : emailTaken();
      return c.json(result.user);
    },
  );

  app.delete(
    "/users/:id",
    describeRoute({
      tags: ["users"],
      summary: "Delete a user",
      responses: { 204: { description: "Deleted" }, 401: common[401], 404: notFoundResponse },
    }),
    async (c) => {
      if (!(await store.delete(c.get("auth").tenantId, c.req.param("id")))) throw userNotFound();
      return c.body(null, 204);
    },
  );

  return app;
}
