import { conflict, notFound } from "@event-mesh/service-kit";

export { AppError, ConfigError, StartError } from "@event-mesh/service-kit";

/** 409: the e-mail is taken in this tenant (case-insensitive). */
export const emailTaken = () => conflict("a user with this e-mail already exists");

/** 404 for a missing user and for another tenant's user alike. */
export const userNotFound = () => notFound("user not found");

export { idempotencyKeyReused } from "@event-mesh/outbox-kit";
