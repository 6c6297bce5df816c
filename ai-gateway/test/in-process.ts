// The gateway of main.ts started inside the test's process, as most gateway tests need it: on a
// free port, no signal handlers, an exit that does not end the test runner, a silent logger.
import { type AnyMeshEvent, encodeHttpBatch } from "@event-mesh/contracts";
import { createLogger } from "@event-mesh/service-kit";
import { readConfig } from "../src/config.ts";
import { type GatewayHooks, startGateway } from "../src/main.ts";

/** What a test may change besides the environment. */
export interface InProcessOptions {
  /** Told the code the gateway would exit with (a start-up line after start); default: ignored. */
  exit?: (code: number) => void;
  hooks?: GatewayHooks;
}

/**
 * Starts the gateway with `env` over the tests' defaults (ingest token `t0ken`, 5 ms batch
 * window, silent logs); `cleanups` gets its shutdown. PORT=0 (any free port) is refused by the
 * config schema on purpose, so it is set after parsing.
 */
export async function inProcessGateway(
  env: Record<string, string>,
  cleanups: (() => unknown)[],
  options: InProcessOptions = {},
) {
  const config = readConfig({
    INGEST_TOKEN: "t0ken",
    BATCH_WAIT_MS: "5",
    LOG_LEVEL: "silent",
    ...env,
  });
  const gw = await startGateway(
    { ...config, PORT: 0 },
    {
      handleSignals: false,
      exit: options.exit ?? (() => {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      logger: createLogger({ name: "ai-gateway-test", level: config.LOG_LEVEL }),
    },
  );
  cleanups.push(() => gw.shutdown("test end"));
  return gw;
}

/** POST /events of `events` as one CloudEvents batch with the tests' ingest token. */
export function postEvents(url: string, events: readonly AnyMeshEvent[]) {
  const { contentType, body } = encodeHttpBatch(events);
  return fetch(`${url}/events`, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": contentType },
    body,
  });
}
