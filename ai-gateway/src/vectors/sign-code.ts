/**
 * Binary code of a vector for the coarse search: two bits per dimension, one set when the value
 * is positive and one when it is negative (a zero sets neither).
 *
 * Plain sign quantization (`vec_quantize_binary`, one bit = value > 0) suits dense embeddings,
 * but the hashing embedder's vectors are sparse and signed: a negative feature and an absent one
 * would get the same bit, and half the features would be lost. With two bits the Hamming
 * distance counts the features two vectors do not share, sign included; for a dense vector it
 * is exactly twice the sign-quantized distance, so the ranking is the same.
 */
export function signCode(vector: Float32Array): Uint8Array {
  const dims = vector.length;
  const code = new Uint8Array(codeBits(dims) / 8);
  for (let i = 0; i < dims; i++) {
    const value = vector[i] ?? 0;
    const bit = value > 0 ? i : value < 0 ? dims + i : -1;
    if (bit >= 0) code[bit >> 3] = (code[bit >> 3] ?? 0) | (1 << (bit & 7));
  }
  return code;
}

/** Bits of the code of a `dims`-dimensional vector: 2 × dims, rounded up to whole bytes. */
export function codeBits(dims: number): number {
  return Math.ceil((2 * dims) / 8) * 8;
}
