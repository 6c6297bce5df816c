/** Turns texts into vectors. One call per batch; the order of the result matches the input. */
export interface Embedder {
  /** Vector length every result has. */
  readonly dims: number;
  /** Short label for logs and metrics, e.g. `hashing` or `openai:text-embedding-3-small`. */
  readonly name: string;
  /** Embeds all texts at once. Rejects rather than returning a vector of the wrong size. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Scales a vector to unit length in place; a zero vector stays zero. */
export function l2Normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  if (sum === 0) return vector;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * inv;
  return vector;
}
