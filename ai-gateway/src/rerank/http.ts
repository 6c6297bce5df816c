import { callHttp } from "@event-mesh/service-kit";
import * as v from "valibot";
import type { Ranked, Reranker } from "./index.ts";

/** Settings of a rerank endpoint of the common shape (Cohere, Jina, Hugging Face TEI, vLLM). */
export interface HttpRerankerOptions {
  /** The full endpoint (`https://api.cohere.com/v2/rerank`, `http://tei:8080/rerank`). */
  url: string;
  /** Model sent with each request (Cohere and Jina need one; TEI ignores it). */
  model?: string | undefined;
  /** Bearer key, if the server wants one. */
  apiKey?: string | undefined;
}

/** Cohere, Jina and vLLM: `{results: [{index, relevance_score}]}`. */
const ResultsShape = v.object({
  results: v.array(v.object({ index: v.number(), relevance_score: v.number() })),
});
/** Hugging Face text-embeddings-inference: `[{index, score}]`. */
const TeiShape = v.array(v.object({ index: v.number(), score: v.number() }));

/**
 * Reads either answer shape; null when it is neither, or names an index outside the documents
 * (a reranker's answer is trusted for order, never for what it points at).
 */
export function readRanking(body: unknown, count: number): Ranked[] | null {
  const cohere = v.safeParse(ResultsShape, body);
  const tei = cohere.success ? null : v.safeParse(TeiShape, body);
  const ranked: Ranked[] | null = cohere.success
    ? cohere.output.results.map((r) => ({ index: r.index, score: r.relevance_score }))
    : tei?.success
      ? tei.output.map((r) => ({ index: r.index, score: r.score }))
      : null;
  if (!ranked) return null;
  const seen = new Set<number>();
  for (const { index } of ranked) {
    if (!Number.isInteger(index) || index < 0 || index >= count || seen.has(index)) return null;
    seen.add(index);
  }
  return ranked.sort((a, b) => b.score - a.score);
}

/** A rerank API over HTTP: `{model, query, documents}` in, indexes with scores out. */
export class HttpReranker implements Reranker {
  readonly name: string;
  readonly #options: HttpRerankerOptions;

  constructor(options: HttpRerankerOptions) {
    this.#options = options;
    this.name = options.model ?? new URL(options.url).host;
  }

  async rerank(
    query: string,
    documents: readonly string[],
    signal?: AbortSignal,
  ): Promise<Ranked[]> {
    const { url, model, apiKey } = this.#options;
    const response = await callHttp(url, "", {
      method: "POST",
      token: apiKey,
      headers: { "content-type": "application/json" },
      // `texts` is TEI's name for the documents, `documents` everyone else's; `top_n` keeps
      // Cohere and Jina from cutting the list.
      body: JSON.stringify({
        ...(model ? { model } : {}),
        query,
        documents,
        texts: documents,
        top_n: documents.length,
        return_documents: false,
      }),
      // The caller's deadline: RERANK_TIMEOUT_MS (rerank/apply.ts).
      signal,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`rerank answered ${response.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`rerank answered ${response.status} with a body that is not JSON`);
    }
    const ranked = readRanking(body, documents.length);
    if (!ranked) throw new Error(`rerank answer has no valid ranking: ${text.slice(0, 200)}`);
    return ranked;
  }
}
