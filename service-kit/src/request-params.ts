import * as v from "valibot";

/**
 * Headers of a create that takes an `Idempotency-Key` (Hono hands the validator lower-case
 * header names).
 */
export const IdempotencyKeyHeaders = v.object({
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

/** A `limit` query parameter: an integer from 1 to 100, `fallback` when absent. */
export function limitParam(fallback: string) {
  return v.optional(
    v.pipe(
      v.string(),
      // 1–100 written with at most 3 digits ("007" too): the whole rule in one pattern, so
      // that /openapi.json states exactly what is accepted.
      v.regex(/^(?:0{0,2}[1-9]|0?[1-9][0-9]|100)$/, "must be an integer from 1 to 100"),
      v.description("An integer from 1 to 100."),
      v.transform(Number),
    ),
    fallback,
  );
}

/** Query of a list route: `limit` (1–100, default 20) and the `cursor` of the previous page. */
export const PageQuery = v.object({
  limit: limitParam("20"),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,64}$/, "is not a valid cursor"),
      v.description("`nextCursor` of the previous page."),
    ),
  ),
});

/** `nextCursor` of a page. */
export const NextCursor = v.pipe(
  v.nullable(v.string()),
  v.description("Pass as `cursor` for the next page; null on the last page."),
);
