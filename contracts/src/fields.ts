import * as v from "valibot";

/** Tenant id: lowercase letters, digits and `-`, 1–63 characters (a DNS label). */
export const TenantId = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9-]{1,63}$/, "must be 1–63 lowercase letters, digits or '-'"),
  v.description("Tenant id: 1–63 lowercase letters, digits or '-'."),
);

/**
 * Entity id: a positive safe integer (the original producer used numbers, e.g. `123`)
 * or a string of 1–64 URL-safe characters (UUIDs, ULIDs, slugs).
 */
export const EntityId = v.union(
  [
    v.pipe(v.number(), v.safeInteger("must be a safe integer"), v.minValue(1, "must be ≥ 1")),
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 of A-Z a-z 0-9 _ -")),
  ],
  "must be a positive integer or a 1–64 character string of A-Z a-z 0-9 _ -",
);

/** E-mail address, at most 254 characters. */
export const Email = v.pipe(
  v.string(),
  v.maxLength(254, "must be at most 254 characters"),
  v.email("must be an e-mail address"),
  v.description("E-mail address, at most 254 characters."),
);

/** A human-readable name: 1–200 characters, not blank, no control characters. */
export const Name = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(200, "must be at most 200 characters"),
  // One pattern (JSON Schema allows one): some non-space character, no control characters.
  v.regex(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them.
    /^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$/,
    "must not be blank or contain control characters",
  ),
  v.description("Name: 1–200 characters, not blank, no control characters."),
);

/** Free text of at most 4,000 characters. */
export const Text = v.pipe(
  v.string(),
  v.maxLength(4000, "must be at most 4000 characters"),
  v.description("Free text, at most 4000 characters."),
);

/** RFC 3339 timestamp with a time zone, e.g. `2026-11-27T06:50:53.000Z`. */
export const Timestamp = v.pipe(
  v.string(),
  v.isoTimestamp("must be an RFC 3339 timestamp"),
  v.description("RFC 3339 timestamp, e.g. 2026-11-27T06:50:53.000Z."),
);

/** A count of usage units: a positive safe integer. */
export const Amount = v.pipe(
  v.number(),
  v.safeInteger("must be a safe integer"),
  v.minValue(1, "must be ≥ 1"),
  v.description("A positive whole number of units."),
);

/** Entity version: 1 on creation, +1 with every change. */
export const Version = v.pipe(
  v.number(),
  v.safeInteger("must be a safe integer"),
  v.minValue(1, "must be ≥ 1"),
  v.description("Entity version: 1 on creation, +1 with every change."),
);
