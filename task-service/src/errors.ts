import { notFound } from "@event-mesh/service-kit";

export { idempotencyKeyReused } from "@event-mesh/outbox-kit";

/** 404 for a missing task and for another tenant's task alike. */
export const taskNotFound = () => notFound("task not found");
