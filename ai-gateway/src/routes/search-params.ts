// `mode` and `filter` of the search routes: their schemas (so /openapi.json describes them) and
// the check of a filter against the fields the registry declares filterable.
import { invalidInput } from "@event-mesh/service-kit";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { FUSIONS, HYBRID_ALPHA, KEYWORD_PEAK } from "../vectors/fusion.ts";
import { SEARCH_MODES, type SearchFilter } from "../vectors/index.ts";

/** Most values a search's filter may hold, over all its fields: each is a condition to check. */
export const MAX_FILTER_VALUES = 20;
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
// A value: 1–128 printable ASCII characters but the comma, which separates values.
const VALUE = /^[\x21-\x2b\x2d-\x7e]{1,128}$/;
const VALUE_MESSAGE = "each value must be 1–128 printable ASCII characters, no comma";
const ITEM =
  /^[A-Za-z][A-Za-z0-9_]{0,63}:[\x21-\x2b\x2d-\x7e]{1,128}(?:,[\x21-\x2b\x2d-\x7e]{1,128})*$/;
const ITEM_MESSAGE = `must be field:value or field:value1,value2 (${VALUE_MESSAGE}, at most ${MAX_FILTER_VALUES} values)`;

/** `mode`: how to retrieve; hybrid when left out. */
export const Mode = v.optional(
  v.pipe(
    v.picklist(SEARCH_MODES, `must be one of ${SEARCH_MODES.join(", ")}`),
    v.description(
      "`hybrid` (default): words (BM25) and meaning (vectors) fused (see `fusion`), score 0..1 where 1 is the best of both lists. `vector`: by meaning, score = cosine similarity. `keyword`: by words, score = BM25 / (BM25 + 1).",
    ),
  ),
  "hybrid",
);

/** `fusion`: how hybrid mode fuses its two lists; relative when left out. */
export const FusionParam = v.optional(
  v.pipe(
    v.picklist(FUSIONS, `must be one of ${FUSIONS.join(", ")}`),
    v.description(
      `Hybrid mode only. \`relative\` (default): each list's scores min-max-normalized over its candidates, then averaged with weights ${HYBRID_ALPHA} for meaning and up to ${Math.round((1 - HYBRID_ALPHA) * 10) / 10} for words: in full when the best keyword hit's BM25 is at least ${KEYWORD_PEAK} times the second's (a rare word one entity holds), none when they are level (common words many share). \`rrf\`: Reciprocal Rank Fusion (k = 60), by ranks only.`,
    ),
  ),
  "relative",
);

const FilterItem = v.pipe(
  v.string(),
  v.maxLength(2_048, ITEM_MESSAGE),
  v.regex(ITEM, ITEM_MESSAGE),
);

/**
 * `filter` in the query string: `field:value` or `field:v1,v2` (any of the values), repeated for
 * more fields (all must hold): `filter=status:open,in_progress&filter=assignee:7`.
 */
export const FilterQuery = v.optional(
  v.pipe(
    v.union([
      FilterItem,
      v.pipe(v.array(FilterItem), v.maxLength(MAX_FILTER_VALUES, ITEM_MESSAGE)),
    ]),
    v.description(
      "`field:value` or `field:value1,value2` (any of them); repeat `filter` for more fields (all must hold). Fields: those of the `type` (tasks: status, assignee). At most 20 values in all.",
    ),
  ),
);

const FilterValue = v.pipe(v.string(), v.regex(VALUE, VALUE_MESSAGE));

/** `filter` in a JSON body: `{"status": ["open", "in_progress"], "assignee": "7"}`. */
export const FilterBody = v.optional(
  v.pipe(
    v.record(
      v.pipe(v.string(), v.regex(FIELD, "field names are 1–64 of A-Z a-z 0-9 _")),
      v.union([
        FilterValue,
        v.pipe(v.array(FilterValue), v.minLength(1), v.maxLength(MAX_FILTER_VALUES)),
      ]),
    ),
    v.description(
      "Field → value or values (any of them); every field must hold. Fields: those of the `type` (tasks: status, assignee). At most 20 values in all.",
    ),
  ),
);

/**
 * A request's filter as the store takes it, checked against the collection's filterable fields:
 * an undeclared field or too many values is a 400 naming `filter`.
 */
export function parseFilter(
  input: string | string[] | Record<string, string | string[]> | undefined,
  collection: string,
  fields: readonly string[],
): SearchFilter | undefined {
  if (input === undefined) return undefined;
  const pairs: [string, string[]][] =
    typeof input === "string" || Array.isArray(input)
      ? (typeof input === "string" ? [input] : input).map((item) => {
          const at = item.indexOf(":");
          return [item.slice(0, at), item.slice(at + 1).split(",")];
        })
      : Object.entries(input).map(([field, values]) => [
          field,
          typeof values === "string" ? [values] : values,
        ]);
  const filter: Record<string, string[]> = {};
  let count = 0;
  for (const [field, values] of pairs) {
    if (!fields.includes(field)) {
      const allowed = fields.length > 0 ? `filterable: ${fields.join(", ")}` : "it has none";
      throw invalidInput(
        [
          {
            path: "filter",
            message: `${collection} cannot be filtered on \`${field}\` (${allowed})`,
          },
        ],
        "invalid filter",
      );
    }
    // A field named twice: any of its values from either.
    filter[field] = [...new Set([...(filter[field] ?? []), ...values])];
    count += values.length;
  }
  if (count > MAX_FILTER_VALUES) {
    throw invalidInput(
      [{ path: "filter", message: `at most ${MAX_FILTER_VALUES} values in all (got ${count})` }],
      "invalid filter",
    );
  }
  return filter;
}

/** The filter as a request holds it, before `parseFilter`. */
type FilterInput = Parameters<typeof parseFilter>[0];

/**
 * Checks the validated request's `filter` against its `type`'s fields, right after validation:
 * a bad filter is a 400 at once, before a search with `after` waits for its write.
 */
export function checkFilter(
  target: "query" | "json",
  fields: ReadonlyMap<string, readonly string[]>,
) {
  return createMiddleware(async function checkSearchFilter(c, next) {
    // The validator before this middleware has checked the shape; only the pairing is left.
    const { type, filter } = c.req.valid(target as never) as { type: string; filter?: FilterInput };
    parseFilter(filter, type, fields.get(type) ?? []);
    await next();
  });
}
