import type { Logger } from "@event-mesh/service-kit";
import type { Counter } from "prom-client";
import type { Reranker } from "./index.ts";

/** What reranking needs beside the reranker: a bound on its time and where failures go. */
export interface RerankStep {
  reranker: Reranker;
  /** How many of the fused hits are reranked (RERANK_CANDIDATES). */
  candidates: number;
  /** Time the reranker gets per search, ms (RERANK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Counts fallbacks by reason (`timeout`, `error`). */
  fallbacks: Counter<"reason">;
  logger: Logger;
}

/**
 * Reranks the first `candidates` hits by `textOf` and returns the best `limit`, each with the
 * reranker's score. On a timeout or any failure it returns the fused order unchanged: a
 * reranker is an improvement, never a reason for a search to fail.
 */
export async function rerankHits<H>(
  step: RerankStep,
  query: string,
  hits: readonly H[],
  textOf: (hit: H) => string,
  limit: number,
): Promise<{ hits: H[]; scores: number[] | null; reranked: boolean }> {
  const candidates = hits.slice(0, step.candidates);
  if (candidates.length < 2) return { hits: hits.slice(0, limit), scores: null, reranked: false };
  try {
    const ranked = await step.reranker.rerank(
      query,
      candidates.map(textOf),
      AbortSignal.timeout(step.timeoutMs),
    );
    const order = [...ranked.map((r) => r.index)];
    // Candidates the reranker left out follow, in their fused order.
    for (let i = 0; i < candidates.length; i++) if (!order.includes(i)) order.push(i);
    const scoreOf = new Map(ranked.map((r) => [r.index, r.score]));
    const top = order.slice(0, limit);
    return {
      hits: top.map((i) => candidates[i] as H),
      scores: top.map((i) => scoreOf.get(i) ?? Number.NEGATIVE_INFINITY),
      reranked: true,
    };
  } catch (error) {
    const reason =
      error instanceof DOMException && error.name === "TimeoutError" ? "timeout" : "error";
    step.fallbacks.inc({ reason });
    step.logger.warn(
      { reranker: step.reranker.name, reason, err: String(error).slice(0, 300) },
      "rerank failed; answering in the fused order",
    );
    return { hits: hits.slice(0, limit), scores: null, reranked: false };
  }
}
