import { idempotentRequest, type ProducerEnv } from "@event-mesh/outbox-kit";
import {
  consistencyTokenDoc,
  errorResponse,
  jsonBody,
  jsonContent,
  setConsistencyToken,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { emailTaken, idempotencyKeyReused, userNotFound } from "../errors.ts";
import type { UserStore } from "../store/index.ts";
import {
  CreateUserBody,
  CreateUserHeaders,
  ListUsersQuery,
  UpdateUserBody,
  UserPageSchema,
  UserSchema,
} from "./schemas.ts";

type Env = ProducerEnv;

/** What a create answered: the user's id and version, for its consistency token. */
const Written = v.object({ id: v.string(), version: v.number() });

/** The consistency token target of a write of a user (the gateway's `users` collection). */
const userWrite = (tenantId: string, user: { id: string; version: number }, deleted = false) => ({
  tenantId,
  collection: "users",
  entityId: user.id,
  version: user.version,
  deleted,
});

// 401 and the security requirement come from the auth middleware, 400/413/415 from `jsonBody`
// and the validators: each route lists only what its own handler answers.
const storeDown = errorResponse(
  "The store is unavailable (full disk, I/O error, locked); retry after `Retry-After` seconds",
);

/** The users resource. The tenant always comes from the token, never from the request. */
export function usersRoutes(store: UserStore): Hono<Env> {
  const app = new Hono<Env>();

  const createRoute = describeRoute({
    tags: ["users"],
    summary: "Create a user",
    description:
      "Writes the user and its `user.created` event in one transaction. With an `Idempotency-Key`, a retry with the same body returns the first answer.",
    responses: {
      201: {
        description: "Created",
        headers: consistencyTokenDoc,
        content: jsonContent(UserSchema),
      },
      409: errorResponse("E-mail already used in this tenant (case-insensitive)"),
      422: errorResponse("Idempotency-Key reused with another body"),
      503: storeDown,
    },
  });
  // One handler chain for the original route and the REST one.
  const create = createFactory<Env>().createHandlers(
    createRoute,
    validate("header", CreateUserHeaders),
    jsonBody({ schema: CreateUserBody }),
    validate("json", CreateUserBody),
    async (c) => {
      const { tenantId } = c.get("auth");
      const body = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const idempotency = idempotentRequest(key, [body.email, body.name]);
      const result = await store.create(tenantId, body, idempotency);
      if (!result.ok) throw result.reason === "email_taken" ? emailTaken() : idempotencyKeyReused();
      if (result.replayed) c.header("Idempotent-Replayed", "true");
      // A replay answers the first create's user, so its token names that write.
      const written = v.safeParse(Written, result.body);
      if (written.success) setConsistencyToken(c, userWrite(tenantId, written.output));
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
      responses: {
        200: { description: "A page", content: jsonContent(UserPageSchema) },
        503: storeDown,
      },
    }),
    validate("query", ListUsersQuery),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      // The cursor is the last id of the page: any id-shaped string is a position to list after.
      const page = await store.list(c.get("auth").tenantId, { limit, after: cursor });
      return c.json({ users: page.users, nextCursor: page.lastId ?? null });
    },
  );

  const notFoundResponse = errorResponse("No such user in the caller's tenant");

  app.get(
    "/users/:id",
    describeRoute({
      tags: ["users"],
      summary: "Get a user",
      responses: {
        200: { description: "The user", content: jsonContent(UserSchema) },
        404: notFoundResponse,
        503: storeDown,
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
        200: {
          description: "The changed user",
          headers: consistencyTokenDoc,
          content: jsonContent(UserSchema),
        },
        404: notFoundResponse,
        409: errorResponse("E-mail already used in this tenant"),
        503: storeDown,
      },
    }),
    jsonBody({ schema: UpdateUserBody }),
    validate("json", UpdateUserBody),
    async (c) => {
      const result = await store.update(
        c.get("auth").tenantId,
        c.req.param("id"),
        c.req.valid("json"),
      );
      if (!result.ok) throw result.reason === "not_found" ? userNotFound() : emailTaken();
      setConsistencyToken(c, userWrite(result.user.tenantId, result.user));
      return c.json(result.user);
    },
  );

  app.delete(
    "/users/:id",
    describeRoute({
      tags: ["users"],
      summary: "Delete a user",
      responses: {
        204: { description: "Deleted", headers: consistencyTokenDoc },
        404: notFoundResponse,
        503: storeDown,
      },
    }),
    async (c) => {
      const { tenantId } = c.get("auth");
      const id = c.req.param("id");
      const version = await store.delete(tenantId, id);
      if (version === undefined) throw userNotFound();
      setConsistencyToken(c, userWrite(tenantId, { id, version }, true));
      return c.body(null, 204);
    },
  );

  return app;
}
