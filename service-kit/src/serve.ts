import type { Server } from "bun";
import { within } from "./backoff.ts";
import { StartError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { idleTimeoutFor } from "./request-deadline.ts";

/** How to serve a Hono app. */
export interface ServeOptions {
  /** The app's fetch (`app.fetch`). */
  fetch: (request: Request, server: Server<undefined>) => Response | Promise<Response>;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. */
  hostname: string;
  /** Where start and stop are logged. */
  logger: Logger;
  /**
   * Runs as soon as shutdown begins, before in-flight requests are drained: lets long work
   * give up in time for those requests to be answered within the bound.
   */
  onStopping?: (() => void) | undefined;
  /** Runs after the last in-flight request finished (flush, close clients). */
  onShutdown?: (() => Promise<void>) | undefined;
  /** Bound for draining requests and for `onShutdown`, each; default 10000 ms. */
  shutdownTimeoutMs?: number | undefined;
  /**
   * The longest a route may take (its `requestDeadline`), ms: the server keeps idle connections
   * open that long plus a margin (`idleTimeoutFor`). Default: Bun's 10 s idle timeout.
   */
  requestTimeoutMs?: number | undefined;
  /** Handle SIGTERM and SIGINT; default true. */
  handleSignals?: boolean | undefined;
  /** Ends the process; default `process.exit`. Tests pass a recorder. */
  exit?: ((code: number) => void) | undefined;
}

/** A running server. */
export interface Running {
  /** Bun's server. */
  server: Server<undefined>;
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Stop accepting, drain, run `onShutdown`, then exit 0. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Starts `Bun.serve`. A taken port throws `StartError` saying which variable to set.
 * On SIGTERM/SIGINT: stop accepting, finish in-flight requests, run `onShutdown`, exit 0.
 */
export function serve(options: ServeOptions): Running {
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger } = options;
  let server: Server<undefined>;
  try {
    server = Bun.serve({
      port: options.port,
      hostname: options.hostname,
      fetch: options.fetch,
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { idleTimeout: idleTimeoutFor(options.requestTimeoutMs) }),
    });
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
      throw new StartError(`port ${options.port} is already in use; set PORT`);
    }
    throw error;
  }
  const url = `http://${options.hostname}:${server.port}`;
  logger.info({ url }, "listening");

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down");
      options.onStopping?.();
      // `stop(false)` refuses new connections at once and resolves when in-flight ones end.
      if (!(await within(server.stop(false), timeoutMs))) {
        logger.warn({ timeoutMs }, "in-flight requests did not finish; closing them");
        await server.stop(true);
      }
      if (options.onShutdown) {
        const finished = await within(
          options.onShutdown().catch((error: unknown) => {
            logger.error({ err: error }, "shutdown step failed");
          }),
          timeoutMs,
        );
        if (!finished) logger.warn({ timeoutMs }, "shutdown steps did not finish in time");
      }
      logger.info("stopped");
      logger.flush();
      exit(0);
    })();
    return stopping;
  };

  if (options.handleSignals ?? true) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (stopping) {
          logger.warn({ signal }, "second signal: exiting now");
          exit(1);
        }
        void shutdown(signal);
      });
    }
  }
  return { server, url, shutdown };
}
