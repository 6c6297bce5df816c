import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, encodeHttpBatch } from "@event-mesh/contracts";
import type { Embedded, Embedder } from "../src/embedders/index.ts";
import { type TestGatewayOptions, testGateway } from "./app-fixture.ts";

/** An embedder that counts the texts it was asked to embed. */
export class CountingEmbedder implements Embedder {
  texts: string[] = [];
  constructor(readonly inner: Embedder) {}
  get dims() {
    return this.inner.dims;
  }
  get name() {
    return this.inner.name;
  }
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Embedded[]> {
    this.texts.push(...texts);
    return this.inner.embed(texts, signal);
  }
}

/**
 * Temporary data folders and things to stop, for tests that make several of each: the caller
 * registers `afterEach(clear)`, which stops every stop (in order) and removes every folder.
 */
export function scratch(prefix: string) {
  const dirs: string[] = [];
  const stops: (() => void)[] = [];
  return {
    stops,
    dataDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    clear() {
      for (const stop of stops.splice(0)) stop();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The test gateway behind a real HTTP server on a free port of 127.0.0.1, on a SQLite file in a
 * temporary DATA_DIR unless `options.dataDir` names one (that one is left in place).
 */
export async function servedGateway(options: TestGatewayOptions = {}) {
  const ownDir = options.dataDir ? null : mkdtempSync(join(tmpdir(), "served-gateway-"));
  const gateway = await testGateway({ ...options, dataDir: options.dataDir ?? (ownDir as string) });
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: gateway.app.fetch });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    ...gateway,
    url,
    /** POST /events of `events` as one CloudEvents batch. */
    post(events: readonly AnyMeshEvent[]) {
      const { contentType, body } = encodeHttpBatch(events);
      return fetch(`${url}/events`, {
        method: "POST",
        headers: { authorization: "Bearer ingest-secret", "content-type": contentType },
        body,
      });
    },
    /** GET with a dev token of `tenantId`. */
    get(path: string, tenantId: string) {
      return fetch(`${url}${path}`, { headers: { authorization: `Bearer ${tenantId}:u1` } });
    },
    /** A metric's value from /metrics (0 when absent). */
    async metric(name: string): Promise<number> {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(" ")[1]) : 0;
    },
    stop() {
      server.stop(true);
      gateway.db.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
