// The two retrievers of the sqlite-vec store over one collection's tables, and their filter.
import type { Database } from "bun:sqlite";
import { bm25OfScore, fuseRelative, fuseRrf, fusionCandidates, normalizeBm25 } from "./fusion.ts";
import type { Collection, SearchFilter, SearchHit, SearchOptions } from "./index.ts";
import { ftsQuery } from "./keywords.ts";
import type { CodeTables } from "./sqlite-vec-codes.ts";
import { readPayload } from "./sqlite-vec-payload.ts";
import type { WordPrefixes } from "./sqlite-vec-words.ts";

/**
 * Candidates read from the binary codes per search, before rescoring: `limit` × this, at least
 * MIN. Each candidate is a row read and a cosine distance: bench:e2e's searches (`limit=5`, one
 * per 20 creates) read 20. 4× the hits asked stays the oversampling; the floor is for small limits.
 */
const CANDIDATE_FACTOR = 4;
const MIN_CANDIDATES = 20;

type Binding = string | number | Float32Array | Uint8Array;

/**
 * The SQL condition of a filter on `points_<c> p`, and its bindings: each field's stored value
 * (`payload.filters.<field>`, a string) is one of the field's values.
 */
export function filterSql(filter: SearchFilter | undefined): { sql: string; args: Binding[] } {
  let sql = "";
  const args: Binding[] = [];
  for (const [field, values] of Object.entries(filter ?? {})) {
    // No value accepted: nothing can match (the route never sends that; the store stays exact).
    if (values.length === 0) return { sql: " AND 0", args: [] };
    sql += ` AND json_extract(p.payload, ?) IN (${values.map(() => "?").join(",")})`;
    args.push(`$.filters.${JSON.stringify(field)}`, ...values);
  }
  return { sql, args };
}

/** A row of a search: the point's payload, the best score of its chunks, and that chunk. */
interface HitRow {
  payload: string | null;
  score: number;
  chunk_text: string | null;
  start_at: number | null;
  end_at: number | null;
}

/**
 * The columns of a hit row, over a vector rowid `r` joined to `chunks_<c> ch` (LEFT JOIN on
 * `ch.rowid = r`): grouped by point, SQLite takes the bare chunk columns from the row whose
 * score is the group's best (`min`), so the highlight is the best chunk.
 */
const CHUNK_COLUMNS = "ch.text AS chunk_text, ch.start_at AS start_at, ch.end_at AS end_at";

/** Rows of (payload, score) as hits of the tenant; a row of another tenant is never handed out. */
function toHits(rows: HitRow[], tenantId: string, score: (raw: number) => number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const row of rows) {
    const payload = readPayload(row.payload);
    // The queries already filter on the tenant; checking again costs nothing and guards it.
    if (!payload || payload.tenantId !== tenantId) continue;
    const hit: SearchHit = { id: payload.entityId, score: score(row.score), data: payload.data };
    if (row.chunk_text !== null && row.start_at !== null && row.end_at !== null)
      hit.highlight = { text: row.chunk_text, start: row.start_at, end: row.end_at };
    hits.push(hit);
  }
  return hits;
}

/**
 * The nearest points by cosine similarity. A tenant with at least INDEX_AT codes, unfiltered: its
 * nearest binary codes (codes.nearest, scanned in memory), rescored on the float vectors.
 * Filtered, or a smaller tenant: every point of the tenant that passes the filter is scored
 * exactly, so no point is lost to a candidate cut (the binary codes of the hashing embedder's
 * sparse vectors rank a long chunk behind short ones). `answered`: how many hits the caller
 * answers (hybrid reads `limit` = twice that for the fusion); candidates are read for it.
 */
export function vectorHits(
  db: Database,
  c: Collection,
  codes: CodeTables,
  tenantId: string,
  vector: Float32Array,
  limit: number,
  filter: SearchFilter | undefined,
  answered = limit,
): SearchHit[] {
  const toScore = (distance: number) => 1 - distance;
  const filtered = filter !== undefined && Object.keys(filter).length > 0;
  let candidates = Math.max(MIN_CANDIDATES, answered * CANDIDATE_FACTOR, limit);
  let nearest = filtered ? null : codes.nearest(tenantId, vector, candidates);
  if (nearest === null) {
    const where = filterSql(filter);
    // Every chunk of each qualifying point is scored; a point without chunks is its own vector.
    const rows = db
      .query<HitRow, Binding[]>(
        `SELECT p.payload AS payload, min(vec_distance_cosine(v.embedding, ?)) AS score,
         ${CHUNK_COLUMNS}
         FROM points_${c} p LEFT JOIN chunks_${c} ch ON ch.point_rowid = p.rowid
         JOIN vectors_${c} v ON v.rowid = coalesce(ch.rowid, p.rowid)
         WHERE p.tenant_id = ? AND p.deleted = 0${where.sql}
         GROUP BY p.rowid ORDER BY score LIMIT ?`,
      )
      .all(vector, tenantId, ...where.args, limit);
    return toHits(rows, tenantId, toScore);
  }
  // Candidates are chunks: several may be one entity's. Too few entities among them and more
  // candidates were there to read: read again, more of them. The rowids go in as one JSON array
  // (exact: chunk rowids stay under 2^53).
  const query = db.query<HitRow, [Float32Array, string, string, number]>(
    `WITH candidates AS (SELECT value AS rowid FROM json_each(?2))
     SELECT p.payload AS payload, min(vec_distance_cosine(v.embedding, ?1)) AS score,
     ${CHUNK_COLUMNS}
     FROM candidates LEFT JOIN chunks_${c} ch ON ch.rowid = candidates.rowid
     JOIN points_${c} p ON p.rowid = coalesce(ch.point_rowid, candidates.rowid)
     JOIN vectors_${c} v ON v.rowid = candidates.rowid
     WHERE p.tenant_id = ?3 AND p.deleted = 0
     GROUP BY p.rowid ORDER BY score LIMIT ?4`,
  );
  let rows = query.all(vector, JSON.stringify(nearest), tenantId, limit);
  for (let before = -1; rows.length < limit && rows.length > before; ) {
    before = rows.length;
    candidates *= CANDIDATE_FACTOR;
    nearest = codes.nearest(tenantId, vector, candidates) ?? [];
    rows = query.all(vector, JSON.stringify(nearest), tenantId, limit);
  }
  return toHits(rows, tenantId, toScore);
}

/**
 * The FTS5 matches of a query (`?`) as `matches (r, s)`: each matching rowid and its BM25 (negative,
 * lower better).
 */
const matchesOf = (c: Collection) =>
  `WITH matches AS MATERIALIZED (SELECT words_${c}.rowid AS r, bm25(words_${c}) AS s
     FROM words_${c} WHERE words_${c} MATCH ?)`;

/**
 * The best BM25 matches of any word of `text` (FTS5 over `words_<c>`, the tenant's words by its
 * prefix, sqlite-vec-words.ts), scored 0..1 (fusion.ts). The tenant and the filter are conditions
 * of the same query, so the top `limit` is taken among the tenant's qualifying matches only. A
 * text without words matches nothing.
 */
export function keywordHits(
  db: Database,
  c: Collection,
  prefixes: WordPrefixes,
  tenantId: string,
  text: string,
  limit: number,
  filter: SearchFilter | undefined,
): SearchHit[] {
  // No prefix: the tenant has no words here.
  const prefix = prefixes.find(tenantId);
  const match = prefix === null ? null : ftsQuery(text, prefix);
  if (match === null) return [];
  const where = filterSql(filter);
  const toScore = (bm25: number) => normalizeBm25(-bm25);
  // bm25() is negative, lower better: ordered ascending, negated into a score.
  if (where.sql === "") {
    // Unfiltered, every match is the tenant's (its token is in the query) and live (a deleted
    // point's words are removed): rank the entities by their best chunk first and read only the
    // top `limit` points' payloads, not one per match (a common word matches thousands).
    const rows = db
      .query<HitRow, Binding[]>(
        `${matchesOf(c)},
         best AS (SELECT coalesce(ch.point_rowid, matches.r) AS point, matches.r AS r,
           min(matches.s) AS score
           FROM matches LEFT JOIN chunks_${c} ch ON ch.rowid = matches.r
           GROUP BY point ORDER BY score LIMIT ?)
         SELECT p.payload AS payload, best.score AS score, ${CHUNK_COLUMNS}
         FROM best JOIN points_${c} p ON p.rowid = best.point
         LEFT JOIN chunks_${c} ch ON ch.rowid = best.r
         WHERE p.tenant_id = ? AND p.deleted = 0 ORDER BY best.score`,
      )
      .all(match, limit, tenantId);
    return toHits(rows, tenantId, toScore);
  }
  const rows = db
    .query<HitRow, Binding[]>(
      `${matchesOf(c)}
       SELECT p.payload AS payload, min(matches.s) AS score, ${CHUNK_COLUMNS}
       FROM matches LEFT JOIN chunks_${c} ch ON ch.rowid = matches.r
       JOIN points_${c} p ON p.rowid = coalesce(ch.point_rowid, matches.r)
       WHERE p.tenant_id = ? AND p.deleted = 0${where.sql}
       GROUP BY p.rowid ORDER BY score LIMIT ?`,
    )
    .all(match, tenantId, ...where.args, limit);
  return toHits(rows, tenantId, toScore);
}

/**
 * A search of one mode (SearchOptions): vector, keyword, or both fused (relative score fusion by
 * default, RRF on request), the vector half floored at `vectorFloor` before the fusion.
 */
export function searchHits(
  db: Database,
  c: Collection,
  codes: CodeTables,
  prefixes: WordPrefixes,
  tenantId: string,
  vector: Float32Array | null,
  limit: number,
  options: SearchOptions,
): SearchHit[] {
  const { mode = "vector", text = "", filter } = options;
  const nearest = (k: number) =>
    vector ? vectorHits(db, c, codes, tenantId, vector, k, filter, limit) : [];
  if (mode === "vector") return nearest(limit);
  if (mode === "keyword") return keywordHits(db, c, prefixes, tenantId, text, limit, filter);
  const k = fusionCandidates(limit);
  const floor = options.vectorFloor ?? 0;
  const byMeaning = nearest(k).filter((hit) => hit.score >= floor);
  const byWords = keywordHits(db, c, prefixes, tenantId, text, k, filter);
  if (options.fusion === "rrf") return fuseRrf([byMeaning, byWords], limit);
  const bm25 = byWords.map((hit) => ({ ...hit, score: bm25OfScore(hit.score) }));
  return fuseRelative(byMeaning, bm25, limit);
}
