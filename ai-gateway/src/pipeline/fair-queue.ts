interface Lane<E> {
  items: E[];
  /** Index of the lane's first item: taking from the front stays O(1). */
  head: number;
}

/**
 * Per-key FIFO lanes served round robin, one item per lane per turn (deficit round robin with a
 * quantum of one item): a key with a long backlog gets one slot of each round, so a key that
 * just arrived is served within one round, not after the backlog. Order within a key is kept.
 * With a single key it is a plain FIFO queue.
 */
export class FairQueue<E> {
  readonly #lanes = new Map<string, Lane<E>>();
  /** Keys with items, in the order they are served; `#cursor` is the next one's index. */
  readonly #order: string[] = [];
  #cursor = 0;
  #size = 0;

  /** Items in all lanes. */
  get size(): number {
    return this.#size;
  }

  /** Lanes that hold items. */
  get lanes(): number {
    return this.#order.length;
  }

  /** Items waiting in `key`'s lane. */
  sizeOf(key: string): number {
    const lane = this.#lanes.get(key);
    return lane ? lane.items.length - lane.head : 0;
  }

  push(key: string, entry: E): void {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { items: [], head: 0 };
      this.#lanes.set(key, lane);
      // A new lane joins just before the cursor: it is served after the lanes already waiting
      // had their turn in this round, never more than one round later.
      this.#order.splice(this.#cursor, 0, key);
      this.#cursor = (this.#cursor + 1) % this.#order.length;
    }
    lane.items.push(entry);
    this.#size++;
  }

  /** The first item of every lane (the oldest of each key). */
  heads(): E[] {
    const heads: E[] = [];
    for (const lane of this.#lanes.values()) {
      const head = lane.items[lane.head];
      if (head !== undefined) heads.push(head);
    }
    return heads;
  }

  /** Takes up to `count` items, one per lane in turn, starting where the last call stopped. */
  take(count: number): E[] {
    const taken: E[] = [];
    while (taken.length < count && this.#order.length > 0) {
      const key = this.#order[this.#cursor] as string;
      const lane = this.#lanes.get(key);
      if (!lane) throw new Error(`fair queue lost lane ${key}`);
      taken.push(lane.items[lane.head] as E);
      lane.head++;
      this.#size--;
      if (lane.head === lane.items.length) {
        this.#lanes.delete(key);
        this.#order.splice(this.#cursor, 1);
      } else {
        // A lane that never empties (a flood) would keep every taken item alive: compact it.
        if (lane.head >= 1024 && lane.head * 2 >= lane.items.length) {
          lane.items = lane.items.slice(lane.head);
          lane.head = 0;
        }
        this.#cursor++;
      }
      if (this.#cursor >= this.#order.length) this.#cursor = 0;
    }
    return taken;
  }
}
