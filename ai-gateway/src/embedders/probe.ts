import {
  describeError,
  type Logger,
  type Probe,
  Retrier,
  StartError,
} from "@event-mesh/service-kit";
import { WrongDimsError } from "../errors.ts";
import type { EmbedderHealth } from "./health.ts";
import { type Embedder, embedAll } from "./index.ts";
import { PROBE_TEXT } from "./openai.ts";

/**
 * How long an answer from the server (a batch, a search, a probe) vouches for it at `/readyz`:
 * readiness polls must not load a server that is working anyway.
 */
export const HEARD_WITHIN_MS = 5_000;

/**
 * The `/readyz` check of the embedder. Healthy without a request while the server was heard from
 * lately or is working on a request (`EmbedderHealth.vouches`); otherwise one short text is
 * embedded, concurrent polls sharing that request. A failure is never kept: the poll after a
 * recovery probes again, so `/readyz` follows the server at once. `/readyz` sends only `failed`;
 * the reason this throws goes to its log.
 */
export function embedderProbe(
  embedder: Embedder,
  health: EmbedderHealth,
  options: { heardWithinMs?: number | undefined } = {},
): Probe {
  const heardWithinMs = options.heardWithinMs ?? HEARD_WITHIN_MS;
  let pending: Promise<string | null> | null = null;
  const check = (signal: AbortSignal): Promise<string | null> =>
    embedAll(embedder, [PROBE_TEXT], signal).then(
      () => null,
      (e: unknown) => {
        const error = signal.aborted
          ? "no answer within READY_TIMEOUT_MS"
          : describeError(e, { causes: false });
        health.failed(error);
        return error;
      },
    );
  return async (signal) => {
    if (health.vouches(heardWithinMs)) return;
    pending ??= check(signal).finally(() => {
      pending = null;
    });
    const error = await pending;
    if (error !== null) throw new Error(`${embedder.name}: ${error}`);
  };
}

/** The one line a vector size the model does not give stops the gateway with. */
function wrongDims(error: WrongDimsError, where: string): string {
  return `embeddings server at ${where} returns ${error.got}-dimension vectors but EMBEDDING_DIMS is ${error.expected}; set EMBEDDING_DIMS=${error.got} or pick another EMBEDDINGS_MODEL`;
}

/** How the start-up check goes on when the server does not answer yet. */
export interface AwaitEmbedderOptions {
  /** Backoff between probes. */
  retry: { baseMs: number; maxMs: number };
  logger: Logger;
  /** Called with the one line when the server, once up, gives the wrong vector size. */
  onWrongDims: (line: string) => void;
  /** Ends the retries (shutdown). */
  signal: AbortSignal;
}

/**
 * Start-up check: one text must come back with EMBEDDING_DIMS numbers. A size mismatch stops
 * start-up with one line saying what to change. A server that does not answer yet does not: the
 * gateway starts, `/readyz` names the embedder, and the probe is retried with backoff until the
 * server answers (or anything else proved it alive); a wrong size found then is `onWrongDims`.
 */
export async function checkEmbedder(
  embedder: Embedder,
  health: EmbedderHealth,
  where: string,
  options: AwaitEmbedderOptions,
): Promise<void> {
  const probe = () => embedAll(embedder, [PROBE_TEXT], options.signal).then(() => null);
  const first = await probe().catch((error: unknown) => error);
  if (first === null) return;
  if (first instanceof WrongDimsError) throw new StartError(wrongDims(first, where));
  options.logger.warn(
    { embedder: where, err: describeError(first) },
    "embeddings server not answering; starting anyway, /readyz names the embedder until it does",
  );
  void (async () => {
    const retrier = new Retrier(options.retry, options.signal);
    while (!options.signal.aborted && !health.heard) {
      await retrier.failed();
      if (options.signal.aborted || health.heard) break;
      const outcome = await probe().catch((error: unknown) => error);
      if (outcome instanceof WrongDimsError) return options.onWrongDims(wrongDims(outcome, where));
    }
    if (health.heard) options.logger.info({ embedder: where }, "embeddings server answers");
  })();
}
