import { Email, Name, TenantId, Timestamp, Version } from "@event-mesh/contracts";
import { IdempotencyKeyHeaders, NextCursor, PageQuery } from "@event-mesh/service-kit";
import * as v from "valibot";

/** Body of `POST /users` and `POST /users/create`. Unknown fields are refused. */
export const CreateUserBody = v.strictObject({
  email: Email,
  name: Name,
});

/**
 * Body of `PATCH /users/{id}`: `email` and/or `name`. `minEntries` rather than a `check`, so
 * that /openapi.json says it too (`minProperties: 1`).
 */
export const UpdateUserBody = v.pipe(
  v.strictObject({ email: v.optional(Email), name: v.optional(Name) }),
  v.minEntries(1, "must contain email and/or name"),
);

/** Headers of `POST /users`: an optional `Idempotency-Key`. */
export const CreateUserHeaders = IdempotencyKeyHeaders;

/** Query of `GET /users`. */
export const ListUsersQuery = PageQuery;

/** A user, as every route returns it. */
export const UserSchema = v.object({
  id: v.pipe(v.string(), v.description("Time-ordered id (UUIDv7).")),
  tenantId: TenantId,
  email: Email,
  name: Name,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Version,
});

/** A page of users. */
export const UserPageSchema = v.object({
  users: v.array(UserSchema),
  nextCursor: NextCursor,
});
