/** One reranked candidate: its position in the list handed over, and the reranker's score. */
export interface Ranked {
  index: number;
  score: number;
}

/**
 * A second look at the best candidates of a search: a model that reads the query and each
 * document together (a cross-encoder) orders them better than either retriever alone.
 */
export interface Reranker {
  /** Model name, for logs and metrics. */
  readonly name: string;
  /** `documents` ordered best first (every index at most once; any it leaves out rank last). */
  rerank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<Ranked[]>;
}
