import { createHash } from "node:crypto";

/**
 * The vector stored with a tombstone. Qdrant keeps a vector with every point of an unnamed-vector
 * collection, so a tombstone needs one: not the deleted entity's embedding (it was computed from
 * the data the delete removes), and not one shared vector either (thousands of identical points
 * would pile onto one spot of the HNSW graph). A pseudo-random unit-ish vector seeded by the
 * point id is neither, and is the same on every gateway. Searches never return it: they filter
 * `deleted` out.
 */
export function tombstoneVector(pointId: string, dims: number): number[] {
  let state = createHash("sha256").update(pointId).digest().readUInt32LE(0) || 1;
  const vector = new Array<number>(dims);
  for (let i = 0; i < dims; i++) {
    // xorshift32: cheap, deterministic, spreads the values over (-1, 1).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    vector[i] = (state >>> 0) / 2147483648 - 1;
  }
  return vector;
}
