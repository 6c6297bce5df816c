import type { Logger } from "@event-mesh/service-kit";
import type { GatewayConfig } from "../config.ts";
import { HashingEmbedder } from "./hashing.ts";
import { EmbedderHealth } from "./health.ts";
import type { Embedder } from "./index.ts";
import { OpenAiEmbedder } from "./openai.ts";
import { type AwaitEmbedderOptions, checkEmbedder } from "./probe.ts";

/** The embedder the configuration asks for: an OpenAI-compatible server, or feature hashing. */
export function createEmbedder(
  config: GatewayConfig,
  logger: Logger,
  health?: EmbedderHealth,
): Embedder {
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
    health,
  });
}

/**
 * `createEmbedder`, then a one-text probe of the server: a wrong vector size is a `StartError`;
 * a server that does not answer yet is probed again in the background (`checkEmbedder`).
 */
export async function startEmbedder(
  config: GatewayConfig,
  options: Omit<AwaitEmbedderOptions, "retry">,
): Promise<{ embedder: Embedder; health: EmbedderHealth }> {
  const health = new EmbedderHealth();
  const embedder = createEmbedder(config, options.logger, health);
  if (config.EMBEDDINGS_URL) {
    await checkEmbedder(embedder, health, withoutSecrets(config.EMBEDDINGS_URL), {
      ...options,
      retry: { baseMs: config.RETRY_BASE_MS, maxMs: config.RETRY_MAX_MS },
    });
  }
  return { embedder, health };
}

/** The URL without user info or query: start-up lines are printed, and must not leak a key. */
function withoutSecrets(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
