import * as v from "valibot";
import { GatewayError, WrongDimsError } from "../errors.ts";

const EmbeddingsResponse = v.object({
  data: v.array(v.object({ index: v.number(), embedding: v.array(v.number()) })),
});

/**
 * The vectors of an OpenAI embeddings response, in input order. Refuses anything but exactly one
 * finite vector of `dims` numbers per text; a wrong size is a `WrongDimsError` (never retried).
 */
export function readEmbeddings(body: unknown, expected: number, dims: number): Float32Array[] {
  const parsed = v.safeParse(EmbeddingsResponse, body);
  if (!parsed.success) {
    throw new GatewayError(
      "embedder_bad_response",
      "embeddings response: not { data: [{ index, embedding }] }",
    );
  }
  const { data } = parsed.output;
  if (data.length !== expected) {
    throw new GatewayError(
      "embedder_bad_response",
      `embeddings response: ${data.length} vectors for ${expected} texts`,
    );
  }
  const vectors: Float32Array[] = new Array(expected);
  for (const item of data) {
    if (
      !Number.isInteger(item.index) ||
      item.index < 0 ||
      item.index >= expected ||
      vectors[item.index]
    ) {
      throw new GatewayError(
        "embedder_bad_response",
        `embeddings response: bad index ${item.index}`,
      );
    }
    if (item.embedding.length !== dims) throw new WrongDimsError(item.embedding.length, dims);
    if (!item.embedding.every(Number.isFinite)) {
      throw new GatewayError("embedder_bad_response", "embeddings response: NaN or infinite value");
    }
    vectors[item.index] = Float32Array.from(item.embedding);
  }
  return vectors;
}
