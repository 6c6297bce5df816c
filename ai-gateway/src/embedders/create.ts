import type { Logger } from "@event-mesh/service-kit";
import type { GatewayConfig } from "../config.ts";
import { HashingEmbedder } from "./hashing.ts";
import type { Embedder } from "./index.ts";
import { OpenAiEmbedder } from "./openai.ts";
import { checkEmbedder } from "./probe.ts";

/** The embedder the configuration asks for: an OpenAI-compatible server, or feature hashing. */
export function createEmbedder(config: GatewayConfig, logger: Logger): Embedder {
  if (!config.EMBEDDINGS_URL) return new HashingEmbedder(config.EMBEDDING_DIMS);
  return new OpenAiEmbedder({
    url: config.EMBEDDINGS_URL,
    model: config.EMBEDDINGS_MODEL,
    apiKey: config.EMBEDDINGS_API_KEY,
    dims: config.EMBEDDING_DIMS,
    batchMax: config.EMBEDDINGS_BATCH_MAX,
    timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
    maxChars: config.EMBEDDINGS_MAX_CHARS,
    logger,
  });
}

/** `createEmbedder`, then a one-text probe of the server (a `StartError` when it fails). */
export async function startEmbedder(config: GatewayConfig, logger: Logger): Promise<Embedder> {
  const embedder = createEmbedder(config, logger);
  if (config.EMBEDDINGS_URL) await checkEmbedder(embedder, withoutSecrets(config.EMBEDDINGS_URL));
  return embedder;
}

/** The URL without user info or query: start-up lines are printed, and must not leak a key. */
function withoutSecrets(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
