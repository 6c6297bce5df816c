/**
 * What the gateway has heard from its embeddings server, from every request it sends (batches,
 * search queries, probes): the evidence `/readyz` goes by. A busy server is not a dead one: an
 * answer proves it alive, and so does a request still under way after an answer; only a
 * failure, or silence, calls for a probe.
 */
export class EmbedderHealth {
  #lastAnswer: number | null = null;
  #failure: string | null = null;
  #inFlight = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A request went out; call the returned function when it is over, however it ended. */
  sent(): () => void {
    this.#inFlight++;
    let done = false;
    return () => {
      if (!done) this.#inFlight--;
      done = true;
    };
  }

  /** The server answered: it is alive, whatever it said before. */
  answered(): void {
    this.#lastAnswer = this.now();
    this.#failure = null;
  }

  /** A request failed (refused connection, 5xx, no answer in time, wrong vector size). */
  failed(reason: string): void {
    this.#failure = reason;
  }

  /** The last failure, while no answer came after it. */
  get failure(): string | null {
    return this.#failure;
  }

  /** True once the server answered anything. */
  get heard(): boolean {
    return this.#lastAnswer !== null;
  }

  /**
   * True when the evidence alone says healthy: no failure since the last answer, and that answer
   * is recent (within `quietMs`) or a request is under way (a busy server, not a silent one).
   */
  vouches(quietMs: number): boolean {
    if (this.#failure !== null || this.#lastAnswer === null) return false;
    return this.now() - this.#lastAnswer < quietMs || this.#inFlight > 0;
  }
}
