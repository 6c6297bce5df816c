// The WebAssembly module that scans binary codes by Hamming distance, assembled here byte by byte
// for one code size (the loop is unrolled over the code's 64-bit words). WebAssembly's
// `i64.popcnt` is one CPU instruction; JavaScript has no 64-bit popcount, and its 32-bit
// bit-twiddling version is about 4× slower over the same codes (bench/README.md, round 5).

/** The exports of a scan module: `scan(n, codes, distances, histogram, query)` and its memory. */
export interface ScanExports {
  memory: WebAssembly.Memory;
  /**
   * For each of the `n` codes at `codes` (8-byte aligned, one after another), stores its Hamming
   * distance to the code at `query` as a u16 at `distances` and adds one to its bin of the u32
   * histogram at `histogram` (zeroed by the caller).
   */
  scan: (n: number, codes: number, distances: number, histogram: number, query: number) => void;
}

/** Unsigned LEB128, the integers of the binary format. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

/** A section: its id, then its contents' size. */
const section = (id: number, contents: number[]) => [id, ...uleb(contents.length), ...contents];
const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)];

// Opcodes (WebAssembly core specification, binary format).
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  get: 0x20,
  set: 0x21,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Store: 0x36,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Xor: 0x85,
  i32WrapI64: 0xa7,
} as const;
const VOID = 0x40;
const I32 = 0x7f;
const I64 = 0x7e;

/** The function body of `scan` for codes of `words` 64-bit words. */
function scanBody(words: number): number[] {
  // Parameters 0–4: n, codes, distances, histogram, query. Locals: 5 end, 6 distance, 7 bin
  // address, then one i64 per word of the query.
  const [n, codes, distances, histogram, query, end, distance, bin] = [0, 1, 2, 3, 4, 5, 6, 7];
  const word = (w: number) => uleb(8 + w);
  const i64At = (w: number) => [op.i64Load, 3, ...uleb(w * 8)];
  const body: number[] = [];
  for (let w = 0; w < words; w++) body.push(op.get, query, ...i64At(w), op.set, ...word(w));
  body.push(op.get, codes, op.get, n, op.i32Const, ...sleb(words * 8), op.i32Mul, op.i32Add);
  body.push(op.set, end);
  body.push(op.block, VOID, op.loop, VOID);
  body.push(op.get, codes, op.get, end, op.i32GeU, op.brIf, 1);
  for (let w = 0; w < words; w++) {
    body.push(op.get, codes, ...i64At(w), op.get, ...word(w), op.i64Xor, op.i64Popcnt);
    if (w > 0) body.push(op.i64Add);
  }
  body.push(op.i32WrapI64, op.set, distance);
  body.push(op.get, distances, op.get, distance, op.i32Store16, 1, 0);
  body.push(op.get, histogram, op.get, distance, op.i32Const, 2, op.i32Shl, op.i32Add);
  body.push(op.set, bin, op.get, bin, op.get, bin, op.i32Load, 2, 0, op.i32Const, 1, op.i32Add);
  body.push(op.i32Store, 2, 0);
  body.push(op.get, codes, op.i32Const, ...sleb(words * 8), op.i32Add, op.set, codes);
  body.push(op.get, distances, op.i32Const, 2, op.i32Add, op.set, distances);
  body.push(op.br, 0, op.end, op.end, op.end);
  const locals = [2, ...uleb(3), I32, ...uleb(words), I64];
  return [...uleb(locals.length + body.length), ...locals, ...body];
}

/** Signed LEB128 of a non-negative value (i32.const's immediate). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if (rest === 0 && (byte & 0x40) === 0) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** The binary module for codes of `words` 64-bit words, with its own memory of one page. */
export function scanModuleBytes(words: number): Uint8Array {
  const type = [1, 0x60, 5, I32, I32, I32, I32, I32, 0];
  const exports = [2, ...name("scan"), 0x00, 0, ...name("memory"), 0x02, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, type),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, exports),
    ...section(10, [1, ...scanBody(words)]),
  ]);
}

const modules = new Map<number, WebAssembly.Module>();

/** A new instance (its own memory) of the scan module for codes of `words` 64-bit words. */
export function scanInstance(words: number): ScanExports {
  let module = modules.get(words);
  if (!module) {
    module = new WebAssembly.Module(scanModuleBytes(words));
    modules.set(words, module);
  }
  return new WebAssembly.Instance(module).exports as unknown as ScanExports;
}
