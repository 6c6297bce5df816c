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
export const Email = v.config(
  v.pipe(
    v.string(),
    v.maxLength(254, "must be at most 254 characters"),
    v.email("must be an e-mail address"),
    v.description("E-mail address, at most 254 characters."),
  ),
  // A value over the limit is refused without running the pattern on all of it.
  { abortPipeEarly: true },
);

/**
 * Not blank, no control characters, as one pattern (JSON Schema allows one per string): leading
 * spaces (`\s` less the control characters `\t \n \v \f \r`, spelled out), the first visible
 * character, then anything but control characters. The three parts never compete for a
 * character, so a failed match costs one pass. The obvious `^[^C]*[^\sC][^C]*$` lets its two
 * stars trade characters and takes quadratic time (0.25 s on 16 KiB, about a minute on
 * 256 KiB). `test/patterns.test.ts` runs a ReDoS checker on every pattern of the schemas.
 */
const NAME_PATTERN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them.
  /^[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$/;

/** A human-readable name: 1–200 characters, not blank, no control characters. */
export const Name = v.config(
  v.pipe(
    v.string(),
    v.minLength(1, "must not be empty"),
    v.maxLength(200, "must be at most 200 characters"),
    v.regex(NAME_PATTERN, "must not be blank or contain control characters"),
    v.description("Name: 1–200 characters, not blank, no control characters."),
  ),
  // Stop at the first failed check: a 256 KiB value over the limit never reaches the pattern.
  { abortPipeEarly: true },
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
