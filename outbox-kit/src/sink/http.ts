import { CLOUDEVENTS_BATCH_JSON } from "@event-mesh/contracts";
import { callHttp, deadline, describeProblem } from "@event-mesh/service-kit";
import type { EventSink, StoredEvent } from "./index.ts";

/** HTTP sink options. */
export interface HttpSinkOptions {
  /** The gateway's base URL; events go to `<url>/events`. */
  gatewayUrl: string;
  /** Bearer token the gateway's ingest expects. */
  token?: string | undefined;
  /** Per-request timeout, ms. Default 10000. */
  timeoutMs?: number | undefined;
}

/** Embedded mode: POSTs CloudEvents batches to the gateway; any 2xx is the acknowledgement. */
export class HttpSink implements EventSink {
  readonly name = "http";

  constructor(private readonly options: HttpSinkOptions) {}

  async send(events: readonly StoredEvent[]): Promise<void> {
    // The stored events are CloudEvents JSON already: the batch is their JSON array, byte for
    // byte what the contracts' encodeHttpBatch makes of the same events.
    const body = `[${events.join(",")}]`;
    // Under the gateway's URL, a path prefix kept (http://host/gw → http://host/gw/events).
    const response = await callHttp(this.options.gatewayUrl, "/events", {
      method: "POST",
      token: this.options.token,
      headers: { "content-type": CLOUDEVENTS_BATCH_JSON },
      body,
      signal: deadline(this.options.timeoutMs ?? 10_000).signal,
    });
    if (!response.ok) {
      // The gateway's problem document says why (code, detail, request id for its log).
      throw new Error(`gateway answered POST /events: ${await describeProblem(response)}`);
    }
    await response.body?.cancel();
  }

  async probe(signal: AbortSignal): Promise<void> {
    const response = await callHttp(this.options.gatewayUrl, "/healthz", { signal });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`gateway /healthz answered ${response.status}`);
  }

  async close(): Promise<void> {}
}
