import { QdrantClient } from "@qdrant/js-client-rest";

// For bench/qdrant-latency.ts, whose "as it comes" variant needs the client outside this workspace.
export { QdrantClient };

/**
 * Headers on every request to Qdrant. Bun's `fetch` offers `gzip, deflate, br, zstd` by default;
 * Qdrant (actix-web) then compresses the answer as a stream: it sends the status line and headers
 * in one write and the chunked body in a second, without `TCP_NODELAY` on its socket. Nagle's
 * algorithm holds that second write until the client ACKs the first, and the client, which has
 * nothing to send, delays its ACK by up to 40 ms (Linux's minimum delayed-ACK time). Back-to-back
 * requests on a kept-alive connection hit that about half the time. Asked for `identity`, Qdrant
 * answers with a `content-length` in one write, which Nagle never holds. The client side already
 * sends each request in one write with `TCP_NODELAY` set (Bun does both), so nothing there helps.
 * On loopback or a LAN, compression saves nothing worth 40 ms: a 20-hit answer is a few KB.
 */
export const QDRANT_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  "accept-encoding": "identity",
};

/** Where the Qdrant server is, and how long one request may take. */
export interface QdrantTransportOptions {
  url: string;
  apiKey?: string | undefined;
  /** Per-request timeout, in ms. */
  timeoutMs?: number | undefined;
}

/** The REST client every gateway request to Qdrant goes through. */
export function createQdrantClient(options: QdrantTransportOptions): QdrantClient {
  return new QdrantClient({
    url: options.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    timeout: options.timeoutMs ?? 10_000,
    checkCompatibility: false,
    headers: { ...QDRANT_REQUEST_HEADERS },
  });
}
