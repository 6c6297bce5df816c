import type { Logger } from "@event-mesh/service-kit";
import type { GatewayConfig } from "../config.ts";
import { startEmbedder } from "../embedders/create.ts";
import type { Closers } from "./closers.ts";

/**
 * The configured embedder, checked before the store (a collection must not be created with a
 * size the model does not give). A server not up yet is waited for in the background, `/readyz`
 * naming it meanwhile; if it then answers with the wrong size, the gateway exits with the line
 * start-up would have stopped with.
 */
export async function configuredEmbedder(
  config: GatewayConfig,
  deps: { logger: Logger; exit: (code: number) => void; closers: Closers },
) {
  const wait = new AbortController();
  deps.closers.add("embedder probe", () => wait.abort());
  return startEmbedder(config, {
    logger: deps.logger,
    signal: wait.signal,
    onWrongDims: (line) => {
      deps.logger.fatal({ model: config.EMBEDDINGS_MODEL }, line);
      deps.logger.flush();
      console.error(line);
      deps.exit(1);
    },
  });
}
