import * as v from "valibot";

const ErrorBodySchema = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});

/** Test helper: the `{ code, message, details }` of an error response, checked on the way. */
export async function readError(
  response: Response,
): Promise<v.InferOutput<typeof ErrorBodySchema>["error"]> {
  return v.parse(ErrorBodySchema, await response.json()).error;
}
