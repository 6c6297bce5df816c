import { AppError, conflict, notFound } from "@event-mesh/service-kit";

export { AppError, ConfigError, StartError } from "@event-mesh/service-kit";

/** 409: the e-mail is taken in this tenant (case-insensitive). */
export const emailTaken = () => conflict("a user with this e-mail already exists");

/** 404 for a missing user and for another tenant's user alike. */
export const userNotFound = () => notFound("user not found");

/** 422: an Idempotency-Key seen before with another body. */
export const idempotencyKeyReused = () =>
  new AppError(
    422,
    "idempotency_key_reused",
    "this Idempotency-Key was already used with a different request body",
  );

/** 400: a cursor this service did not hand out. */
export const invalidCursor = () =>
  new AppError(400, "invalid_input", "invalid query", [
    { path: "cursor", message: "is not a valid cursor" },
  ]);

/** 400: an Idempotency-Key that is empty, too long or not printable ASCII. */
export const invalidIdempotencyKey = () =>
  new AppError(400, "invalid_input", "invalid header", [
    { path: "Idempotency-Key", message: "must be 1–255 printable ASCII characters" },
  ]);
