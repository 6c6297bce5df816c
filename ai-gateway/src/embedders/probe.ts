import { type Probe, StartError } from "@event-mesh/service-kit";
import { describe, WrongDimsError } from "../errors.ts";
import { type Embedder, embedAll } from "./index.ts";
import { PROBE_TEXT } from "./openai.ts";

/** How long one probe's outcome answers `/readyz`: readiness polls must not load the server. */
export const PROBE_CACHE_MS = 5_000;

/**
 * The `/readyz` check of the embedder: embeds one short text, and keeps the outcome for
 * `cacheMs` (concurrent polls share one request). `/readyz` sends only `failed`; the reason this
 * throws goes to its log.
 */
export function embedderProbe(embedder: Embedder, options: { cacheMs?: number } = {}): Probe {
  const cacheMs = options.cacheMs ?? PROBE_CACHE_MS;
  let last: { at: number; error: string | null } | null = null;
  let pending: Promise<string | null> | null = null;
  const check = async (signal: AbortSignal): Promise<string | null> => {
    const error = await embedAll(embedder, [PROBE_TEXT], signal).then(
      () => null,
      (e: unknown) => (signal.aborted ? "no answer within READY_TIMEOUT_MS" : describe(e)),
    );
    last = { at: Date.now(), error };
    return error;
  };
  return async (signal) => {
    let error = last && Date.now() - last.at < cacheMs ? last.error : undefined;
    if (error === undefined) {
      pending ??= check(signal).finally(() => {
        pending = null;
      });
      error = await pending;
    }
    if (error !== null) throw new Error(`${embedder.name}: ${error}`);
  };
}

/**
 * Start-up check: one text must come back with EMBEDDING_DIMS numbers. A size mismatch or an
 * unreachable server stops start-up with one line saying what to change.
 */
export async function checkEmbedder(embedder: Embedder, where: string): Promise<void> {
  try {
    await embedAll(embedder, [PROBE_TEXT]);
  } catch (error) {
    if (error instanceof WrongDimsError) {
      throw new StartError(
        `embeddings server at ${where} returns ${error.got}-dimension vectors but EMBEDDING_DIMS is ${error.expected}; set EMBEDDING_DIMS=${error.got} or pick another EMBEDDINGS_MODEL`,
      );
    }
    throw new StartError(
      `embeddings server at ${where} failed a one-text probe: ${describe(error)}; start it or fix EMBEDDINGS_URL`,
    );
  }
}
