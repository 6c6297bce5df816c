import { AppError, notFound } from "@event-mesh/service-kit";

/** 404 for a missing task and for another tenant's task alike. */
export const taskNotFound = () => notFound("task not found");

/** 422: an Idempotency-Key seen before with another body. */
export const idempotencyKeyReused = () =>
  new AppError(
    422,
    "idempotency_key_reused",
    "this Idempotency-Key was already used with a different request body",
  );
