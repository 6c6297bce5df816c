/**
 * Acknowledgements (Kafka offset commits) of stored batches, one after another in the order the
 * batches were stored, while the next batch is already being processed.
 *
 * Why a chain: awaiting each commit before the next batch left the pipeline idle for a broker
 * round trip per batch. Why strictly in order: an acknowledgement of batch N+1 must not go out
 * before that of batch N has settled, even when N's is slow or fails, so the committed position
 * only ever moves forward over stored batches. A failed acknowledgement is reported and the
 * chain goes on: the next one covers it (it commits a later offset of stored messages), and
 * re-delivery of what was stored is harmless (deterministic point ids, version checks).
 */
export class AckChain {
  readonly #inFlight: Promise<void>[] = [];
  #tail: Promise<void> = Promise.resolve();

  /**
   * @param maxInFlight acknowledgements that may be pending before `enqueue` waits: with 1, the
   *   commit of batch N overlaps the processing of batch N+1, and batch N+1's own commit is
   *   queued only once N's has settled.
   * @param onError called with the error of a failed acknowledgement.
   */
  constructor(
    private readonly maxInFlight: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Acknowledgements queued or running. */
  get pending(): number {
    return this.#inFlight.length;
  }

  /**
   * Queues `ack` behind every earlier one; resolves once at most `maxInFlight` acknowledgements
   * are pending (so a slow broker holds the pipeline back instead of letting commits pile up).
   */
  async enqueue(ack: () => Promise<void>): Promise<void> {
    const done = this.#tail.then(ack).catch(this.onError);
    this.#tail = done;
    this.#inFlight.push(done);
    void done.finally(() => this.#inFlight.splice(this.#inFlight.indexOf(done), 1));
    while (this.#inFlight.length > this.maxInFlight) await this.#inFlight[0];
  }

  /** Resolves once every queued acknowledgement has settled. */
  flush(): Promise<void> {
    return this.#tail;
  }
}
