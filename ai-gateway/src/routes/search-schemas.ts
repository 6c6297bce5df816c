// The query, body and answer of `/search`, from which /openapi.json is generated.
import { consistencyTokenPattern, limitParam } from "@event-mesh/service-kit";
import * as v from "valibot";
import { DEFAULT_MIN_SCORE } from "../config.ts";
import type { Collection } from "../vectors/index.ts";
import { FilterBody, FilterQuery, FusionParam, Mode } from "./search-params.ts";

const Q = v.pipe(
  v.string(),
  v.minLength(1, "must be 1–512 characters"),
  v.maxLength(512, "must be 1–512 characters"),
);
/** `type`: one of the registry's collections, the first one (`users`) when left out. */
function typeOf(collections: readonly Collection[]) {
  const names = collections.join(", ");
  return v.optional(v.picklist(collections, `must be one of ${names}`), collections[0] ?? "users");
}
const LIMIT = "must be an integer from 1 to 100";
const MIN_SCORE = "must be a number from -1 to 1";
/** `after`: the `X-Mesh-Token` of a write answer, naming one of the collections searched here. */
function afterOf(collections: readonly Collection[]) {
  return v.optional(
    v.pipe(
      v.string(),
      // Exactly the tokens of these collections: every string the pattern allows decodes.
      v.regex(consistencyTokenPattern(collections), "must be the X-Mesh-Token of a write answer"),
      v.description(
        "The `X-Mesh-Token` of a write answer: the search waits until that write is searchable",
      ),
    ),
  );
}

const HIGHLIGHT_DOC =
  "A long text stored in chunks: the chunk that matched best (it decides the score), with its offsets into the entity's text (`text` = the text's characters `start` to `end`, UTF-16 units).";

const MIN_SCORE_DOC = `Hits scoring below it (the score of the \`mode\` asked) are left out. Unset: vector hits under SEARCH_MIN_SCORE (a cosine, ${DEFAULT_MIN_SCORE} by default) are left out, and not fused in hybrid mode; keyword hits are all kept.`;
const RERANK_DOC =
  "With a reranker configured (RERANK_URL): false answers in the fused order. Default true. Without one it changes nothing.";
const MinScoreNumber = v.pipe(
  v.number(MIN_SCORE),
  v.minValue(-1, MIN_SCORE),
  v.maxValue(1, MIN_SCORE),
);

/** The query, body and answer of the search routes, for the given collections. */

export function searchSchemas(collections: readonly Collection[]) {
  const Type = typeOf(collections);
  const After = afterOf(collections);
  // Unknown keys (a `tenantId`, say) are dropped, never used: the tenant comes from the token only.
  const SearchQuery = v.object({
    q: Q,
    type: Type,
    limit: limitParam("10"),
    after: After,
    mode: Mode,
    fusion: FusionParam,
    filter: FilterQuery,
    rerank: v.optional(
      v.pipe(
        v.picklist(["true", "false"], "must be true or false"),
        v.description(RERANK_DOC),
        v.transform((text) => text === "true"),
      ),
    ),
    minScore: v.optional(
      v.pipe(
        v.string(),
        // -1 to 1 as up to 2 digits and 6 decimals: the range in the pattern, so that
        // /openapi.json states exactly what is accepted (the number check after it agrees).
        v.regex(/^-?(?:0{1,2}(?:\.[0-9]{1,6})?|0?1(?:\.0{1,6})?)$/, MIN_SCORE),
        v.description(MIN_SCORE_DOC),
        v.transform(Number),
        MinScoreNumber,
      ),
    ),
  });
  const SearchBody = v.object({
    q: Q,
    type: Type,
    limit: v.optional(
      v.pipe(v.number(LIMIT), v.integer(LIMIT), v.minValue(1, LIMIT), v.maxValue(100, LIMIT)),
      10,
    ),
    minScore: v.optional(v.pipe(MinScoreNumber, v.description(MIN_SCORE_DOC))),
    after: After,
    mode: Mode,
    fusion: FusionParam,
    filter: FilterBody,
    rerank: v.optional(v.pipe(v.boolean("must be true or false"), v.description(RERANK_DOC))),
  });

  /** The answer: the best hits first, with the stored event data of each. */
  const SearchResult = v.object({
    hits: v.array(
      v.object({
        id: v.string(),
        type: v.picklist(collections),
        score: v.number(),
        /** The reranker's score, when the hits were reranked (model-specific scale). */
        rerankScore: v.optional(v.number()),
        data: v.record(v.string(), v.unknown()),
        highlight: v.optional(
          v.pipe(
            v.object({
              text: v.string(),
              start: v.pipe(v.number(), v.integer(), v.minValue(0)),
              end: v.pipe(v.number(), v.integer(), v.minValue(0)),
            }),
            v.description(HIGHLIGHT_DOC),
          ),
        ),
      }),
    ),
    /** Present when a reranker is configured: whether this answer was reranked. */
    reranked: v.optional(v.boolean()),
    tookMs: v.number(),
  });
  return { SearchQuery, SearchBody, SearchResult };
}
