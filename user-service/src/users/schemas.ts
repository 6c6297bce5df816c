import { Email, Name, TenantId, Timestamp, Version } from "@event-mesh/contracts";
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

/** Headers of `POST /users` (Hono hands the validator lower-case header names). */
export const CreateUserHeaders = v.object({
  "idempotency-key": v.optional(
    v.pipe(
      v.string(),
      // Printable ASCII; HTTP strips spaces at either end, so the pattern does not allow them.
      v.regex(
        /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/,
        "must be 1–255 printable ASCII characters",
      ),
      v.description(
        "Same key and body within 24 h: the first response again, nothing new created.",
      ),
    ),
  ),
});

const LIMIT = "must be an integer from 1 to 100";

/** Query of `GET /users`. */
export const ListUsersQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      // 1–100 written with at most 3 digits ("007" too): the whole rule in one pattern, so
      // that /openapi.json states exactly what is accepted.
      v.regex(/^(?:0{0,2}[1-9]|0?[1-9][0-9]|100)$/, LIMIT),
      v.description("An integer from 1 to 100."),
      v.transform(Number),
    ),
    "20",
  ),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,64}$/, "is not a valid cursor"),
      v.description("`nextCursor` of the previous page."),
    ),
  ),
});

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
  nextCursor: v.pipe(
    v.nullable(v.string()),
    v.description("Pass as `cursor` for the next page; null on the last page."),
  ),
});
