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
