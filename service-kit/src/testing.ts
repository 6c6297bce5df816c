import * as v from "valibot";

const ErrorBodySchema = v.object({
  error: v.object({
    code: v.string(),
    message: v.string(),
    details: v.optional(v.unknown()),
    requestId: v.optional(v.string()),
  }),
});

/**
 * Test helper: the `{ code, message, details }` of an error response, checked on the way. The
 * body's `requestId`, when there is one, must be the response's `X-Request-Id`; it is left out
 * of the result since it differs per request.
 */
export async function readError(
  response: Response,
): Promise<Omit<v.InferOutput<typeof ErrorBodySchema>["error"], "requestId">> {
  const { requestId, ...error } = v.parse(ErrorBodySchema, await response.json()).error;
  const header = response.headers.get("x-request-id");
  if (requestId !== undefined && requestId !== header)
    throw new Error(`error body requestId ${requestId} is not the X-Request-Id ${header}`);
  return error;
}
