import { Email, EntityId, Name, TenantId, Timestamp, Version } from "@event-mesh/contracts";
import * as v from "valibot";

/** Body of `POST /users` and `POST /users/create`. Unknown fields are refused. */
export const CreateUserBody = v.strictObject({
  email: Email,
  name: Name,
});

/** Body of `PATCH /users/{id}`: `email` and/or `name`. */
export const UpdateUserBody = v.pipe(
  v.strictObject({ email: v.optional(Email), name: v.optional(Name) }),
  v.check(
    (body) => body.email !== undefined || body.name !== undefined,
    "must contain email and/or name",
  ),
);

/** Query of `GET /users`. */
export const ListUsersQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,3}$/, "must be an integer from 1 to 100"),
      v.transform(Number),
      v.number(),
      v.minValue(1, "must be an integer from 1 to 100"),
      v.maxValue(100, "must be an integer from 1 to 100"),
    ),
    "20",
  ),
  cursor: v.optional(
    v.pipe(v.string(), v.description("Opaque cursor: `nextCursor` of the previous page.")),
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

/** A user id as a cursor: opaque to clients, checked when it comes back. */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

/** The id in a cursor, or undefined when it is not one we handed out. */
export function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, "base64url").toString();
  return typeof id === "string" && v.is(EntityId, id) && encodeCursor(id) === cursor
    ? id
    : undefined;
}
