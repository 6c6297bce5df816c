import { type ScanExports, scanInstance } from "./hamming-wasm.ts";

const PAGE = 65_536;
/** Codes room is made for at first; it doubles as codes are added. */
const FIRST_CAPACITY = 1_024;
/** Bytes a slot of the rowid map costs, as counted against the cache's cap (a JS Map entry). */
const MAP_ENTRY_BYTES = 48;

/**
 * One tenant's binary codes in memory, for the k nearest by Hamming distance: the codes one
 * after another in a WebAssembly memory (scanned by hamming-wasm.ts), their rowids beside them.
 * Layout of the memory: the query, the histogram of distances (a u32 per distance 0..bits), the
 * codes, then a u16 distance per code (scratch of each scan). Each code takes a whole number of
 * 64-bit words; the padding is zero in every code and in the query, so it adds no distance.
 */
export class CodeIndex {
  readonly #stride: number;
  readonly #bits: number;
  readonly #scan: ScanExports;
  readonly #histogramAt: number;
  readonly #codesAt: number;
  #capacity = 0;
  #n = 0;
  #rowids = new Float64Array(0);
  /** Slot of each rowid: built at the first removal (an index that only grows needs none). */
  #slots: Map<number, number> | null = null;

  /** `codeBytes`: the size of one code as stored (sign-code.ts). */
  constructor(codeBytes: number) {
    this.#stride = Math.ceil(codeBytes / 8) * 8;
    this.#bits = this.#stride * 8;
    this.#scan = scanInstance(this.#stride / 8);
    this.#histogramAt = this.#stride;
    this.#codesAt = this.#histogramAt + Math.ceil(((this.#bits + 1) * 4) / 8) * 8;
    this.#reserve(FIRST_CAPACITY);
  }

  get size(): number {
    return this.#n;
  }

  /** Memory it holds: the WebAssembly memory, the rowids and the rowid map. */
  get bytes(): number {
    const map = (this.#slots?.size ?? 0) * MAP_ENTRY_BYTES;
    return this.#scan.memory.buffer.byteLength + this.#rowids.byteLength + map;
  }

  add(rowid: number, code: Uint8Array): void {
    if (this.#slots?.has(rowid)) this.remove(rowid);
    this.addMany([rowid], code);
  }

  /**
   * Adds many codes at once: `codes` holds them one after another, in the order of `rowids`.
   * Unlike add(), it does not look for rowids already here (an index being read from its table).
   */
  addMany(rowids: readonly number[], codes: Uint8Array): void {
    const size = codes.length / rowids.length;
    let capacity = this.#capacity;
    while (capacity < this.#n + rowids.length) capacity *= 2;
    if (capacity !== this.#capacity) this.#reserve(capacity);
    const memory = new Uint8Array(this.#scan.memory.buffer);
    const at = this.#codesAt + this.#n * this.#stride;
    if (size === this.#stride) memory.set(codes, at);
    else
      for (let i = 0; i < rowids.length; i++) {
        const code = codes.subarray(i * size, (i + 1) * size);
        memory.set(code, at + i * this.#stride);
        memory.fill(0, at + i * this.#stride + size, at + (i + 1) * this.#stride);
      }
    for (const rowid of rowids) {
      this.#rowids[this.#n] = rowid;
      this.#slots?.set(rowid, this.#n);
      this.#n++;
    }
  }

  /** Removes a rowid's code (the last code takes its slot); false when it is not here. */
  remove(rowid: number): boolean {
    if (!this.#slots) {
      this.#slots = new Map();
      for (let i = 0; i < this.#n; i++) this.#slots.set(this.#rowids[i] as number, i);
    }
    const slot = this.#slots.get(rowid);
    if (slot === undefined) return false;
    this.#slots.delete(rowid);
    const last = --this.#n;
    if (slot !== last) {
      const moved = this.#rowids[last] as number;
      const bytes = new Uint8Array(this.#scan.memory.buffer);
      const from = this.#codesAt + last * this.#stride;
      bytes.copyWithin(this.#codesAt + slot * this.#stride, from, from + this.#stride);
      this.#rowids[slot] = moved;
      this.#slots.set(moved, slot);
    }
    return true;
  }

  /**
   * The rowids of the `k` codes nearest to `query` (all of them when there are fewer), in no
   * order; ties at the k-th distance are broken by slot.
   */
  nearest(query: Uint8Array, k: number): number[] {
    const n = this.#n;
    const buffer = this.#scan.memory.buffer;
    const head = new Uint8Array(buffer, 0, this.#stride);
    head.set(query);
    head.fill(0, query.length);
    const histogram = new Uint32Array(buffer, this.#histogramAt, this.#bits + 1);
    histogram.fill(0);
    const distancesAt = this.#codesAt + this.#capacity * this.#stride;
    this.#scan.scan(n, this.#codesAt, distancesAt, this.#histogramAt, 0);
    // The smallest distance with at least k codes at or under it: all codes under it are in,
    // and as many at it as fill k.
    let threshold = 0;
    let under = 0;
    for (; threshold <= this.#bits; threshold++) {
      const count = histogram[threshold] as number;
      if (under + count >= k) break;
      under += count;
    }
    let atThreshold = Math.min(k, n) - under;
    const distances = new Uint16Array(buffer, distancesAt, n);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const distance = distances[i] as number;
      if (distance < threshold || (distance === threshold && atThreshold-- > 0))
        out.push(this.#rowids[i] as number);
    }
    return out;
  }

  /** Room for `capacity` codes and their distances; the codes stay where they are. */
  #reserve(capacity: number): void {
    const needed = this.#codesAt + capacity * (this.#stride + 2);
    const memory = this.#scan.memory;
    if (needed > memory.buffer.byteLength)
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    const rowids = new Float64Array(capacity);
    rowids.set(this.#rowids.subarray(0, this.#n));
    this.#rowids = rowids;
    this.#capacity = capacity;
  }
}
