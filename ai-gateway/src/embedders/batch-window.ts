/** Texts in the first request, before anything is known of the server's speed. */
const FIRST_WINDOW = 16;

/**
 * How many texts the next embeddings request carries: sized from the throughput the server
 * showed (texts per second, measured on every answer) so that a request takes about `budgetMs`,
 * well under the timeout. It at most doubles per answer, grows by one on an answer within the
 * budget, halves on a timeout, and never exceeds `max` or, once the server answered 413, half the
 * size it refused.
 */
export class BatchWindow {
  #size: number;
  #max: number;
  /** Texts per second, smoothed; null until the first answer. */
  #rate: number | null = null;

  constructor(
    max: number,
    readonly budgetMs: number,
  ) {
    this.#max = max;
    this.#size = Math.min(max, FIRST_WINDOW);
  }

  /** Texts for the next request. */
  get size(): number {
    return this.#size;
  }

  /** Texts per second, as measured; null before the first answer. */
  get rate(): number | null {
    return this.#rate;
  }

  /**
   * `texts` were answered in `ms`: the window follows the measured rate, doubling at most. A
   * one-text request (a search query) says little of the rate: it may have waited behind a batch
   * at a single-worker server, which would read as a slow server.
   */
  answered(texts: number, ms: number): void {
    const sample = texts / (Math.max(ms, 1) / 1000);
    if (this.#rate === null) this.#rate = sample;
    else if (texts > 1) this.#rate = (this.#rate + sample) / 2;
    const target = Math.floor((this.#rate * this.budgetMs) / 1000);
    // An answer within the budget allows one text more whatever the rate says (additive
    // increase): a window cut to one text by a timeout grows back even on one-text requests.
    const least = ms < this.budgetMs ? this.#size + 1 : 1;
    this.#size = clamp(Math.min(Math.max(target, least), this.#size * 2), this.#max);
  }

  /**
   * A request of `texts` got no answer within `timeoutMs`: the rate is below what that needed,
   * and the window at most half the request, at most what the bounded rate does in the budget.
   */
  timedOut(texts: number, timeoutMs: number): void {
    const bound = texts / (timeoutMs / 1000);
    this.#rate = this.#rate === null ? bound : Math.min(this.#rate, bound);
    const half = Math.floor(Math.min(this.#size, texts) / 2);
    this.#size = clamp(Math.min(half, Math.floor((this.#rate * this.budgetMs) / 1000)), this.#max);
  }

  /** The server refused `texts` as too large (413): never send that many again. */
  tooLarge(texts: number): void {
    this.#max = clamp(Math.floor(texts / 2), this.#max);
    this.#size = Math.min(this.#size, this.#max);
  }
}

const clamp = (size: number, max: number) => Math.max(1, Math.min(max, size));
