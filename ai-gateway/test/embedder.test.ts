import { Database } from "bun:sqlite";
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEvent } from "@event-mesh/contracts";
import { eventually } from "@event-mesh/service-kit";
import { EmbeddingsServer } from "./embeddings-server.ts";
import { spawnGateway } from "./gateway-process.ts";
import { inProcessGateway, postEvents } from "./in-process.ts";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function embeddingsServer(dims = 384): EmbeddingsServer {
  const server = new EmbeddingsServer(dims);
  cleanups.push(() => server.stop());
  return server;
}

/** The real gateway, in this process, on a free port, against `server`. */
async function gateway(server: EmbeddingsServer, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-embedder-"));
  const gw = await inProcessGateway(
    {
      DATA_DIR: dataDir,
      EMBEDDINGS_URL: server.url,
      EMBEDDINGS_MODEL: "all-minilm",
      EMBEDDINGS_TIMEOUT_MS: "200",
      RETRY_BASE_MS: "1",
      RETRY_MAX_MS: "20",
      ...env,
    },
    cleanups,
  );
  return { ...gw, dataDir };
}

const post = postEvents;

const task = (id: number, description: string) =>
  makeEvent("task.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    data: { id: `t-${id}`, tenantId: "tenant-a", title: `Task ${id}`, description, status: "open" },
  });
const user = (id: number) =>
  makeEvent("user.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    data: { id, name: `Person ${id}`, email: `p${id}@a.dev`, tenantId: "tenant-a" },
  });

function deadLetters(dataDir: string) {
  const db = new Database(join(dataDir, "ai-gateway.sqlite"), { readonly: true });
  try {
    return db
      .query<{ code: string; reason: string; value: string }, []>(
        "SELECT code, reason, CAST(value AS TEXT) AS value FROM dead_letters ORDER BY id",
      )
      .all();
  } finally {
    db.close();
  }
}

async function points(url: string): Promise<Record<string, number>> {
  const response = await fetch(`${url}/stats`, {
    headers: { authorization: "Bearer tenant-a:u1" },
  });
  return ((await response.json()) as { points: Record<string, number> }).points;
}

const readyz = (url: string) =>
  fetch(`${url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() }));

describe("gateway with an OpenAI-compatible embeddings server", () => {
  test("/readyz says the embedder is failing while its server is down, and ready once it is back", async () => {
    const server = embeddingsServer();
    const gw = await gateway(server);
    expect((await readyz(gw.url)).status).toBe(200);

    server.stop();
    const down = await eventually("/readyz to answer 503", async () =>
      (await readyz(gw.url)).status === 503 ? readyz(gw.url) : undefined,
    );
    const checks = (JSON.parse(down.body) as { checks: Record<string, { status: string }> }).checks;
    expect(checks.embedder?.status).not.toBe("ok");
    expect(checks.store?.status).toBe("ok");
    // Only the dependency's name and state: no address, no client error text.
    expect(JSON.stringify(checks.embedder)).not.toMatch(/127\.0\.0\.1|connect|refused/i);

    server.start();
    await eventually("/readyz to answer 200 again", async () =>
      (await readyz(gw.url)).status === 200 ? true : undefined,
    );
  }, 60_000);

  test("starts while the embeddings server is down: /readyz 503 names the embedder until the server, started later, answers a retried probe", async () => {
    const server = embeddingsServer();
    server.stop();
    const gw = await gateway(server, { RETRY_BASE_MS: "50", RETRY_MAX_MS: "200" });
    const down = await readyz(gw.url);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({
      detail: "not ready: embedder",
      checks: { embedder: { status: "failed" }, store: { status: "ok" } },
    });

    server.start();
    // The gateway's own retries reach the server, without a /readyz poll asking.
    await eventually("a retried probe to reach the server", async () =>
      server.requests.length > 0 ? true : undefined,
    );
    expect((await readyz(gw.url)).status).toBe(200);
    expect(await post(gw.url, [user(1)])).toHaveProperty("status", 200);
    expect(await points(gw.url)).toMatchObject({ users: 1 });
  }, 60_000);

  test("a server that comes up later with the wrong vector size stops the gateway with the start-up line", async () => {
    const server = embeddingsServer(512);
    server.stop();
    const exits: number[] = [];
    await inProcessGateway(
      {
        DATA_DIR: mkdtempSync(join(tmpdir(), "gw-embedder-")),
        EMBEDDINGS_URL: server.url,
        EMBEDDINGS_MODEL: "all-minilm",
        RETRY_BASE_MS: "50",
        RETRY_MAX_MS: "200",
      },
      cleanups,
      { exit: (code) => exits.push(code) },
    );
    const printed = spyOn(console, "error").mockImplementation(() => {});
    server.start();
    await eventually("the gateway to give up on the wrong size", async () =>
      exits.length > 0 ? true : undefined,
    );
    const lines = printed.mock.calls.map(([line]) => String(line));
    printed.mockRestore();
    expect(exits).toEqual([1]);
    expect(lines).toEqual([
      expect.stringContaining("returns 512-dimension vectors but EMBEDDING_DIMS is 384"),
    ]);
  }, 60_000);

  test("a text the server cannot embed in time, or at all, is dead-lettered; the rest is stored", async () => {
    const server = embeddingsServer();
    server.hangs = (input) => input.some((text) => text.includes("STUCK"));
    server.tooLarge = (input) => input.some((text) => text.includes("HUGE"));
    const gw = await gateway(server, { EMBEDDINGS_MAX_CHARS: "1000" });
    const events = Array.from({ length: 20 }, (_, i) =>
      task(i + 1, i === 4 ? "STUCK here" : i === 8 ? "HUGE one" : "x".repeat(i === 11 ? 4000 : 10)),
    );

    const response = await post(gw.url, events);
    expect(response.status).toBe(200);
    expect(await points(gw.url)).toMatchObject({ tasks: 18 });
    const letters = deadLetters(gw.dataDir);
    expect(letters.map((letter) => letter.code)).toEqual([
      "embedding_refused",
      "embedding_refused",
    ]);
    expect(letters.map((letter) => JSON.parse(letter.value).data.id).sort()).toEqual([
      "t-5",
      "t-9",
    ]);
    expect(letters.map((l) => l.reason).join("\n")).toMatch(/took over 200 ms/);
    expect(letters.map((l) => l.reason).join("\n")).toMatch(/413/);
    // The 4,000-character description was sent in chunks of CHUNK_CHARS (400 by default), none
    // longer than EMBEDDINGS_MAX_CHARS.
    expect(Math.max(...server.texts.map((text) => text.length))).toBe(400);
  }, 60_000);

  test("a vector size that changes at run time is not retried: the events are dead-lettered", async () => {
    const server = embeddingsServer();
    const gw = await gateway(server);
    server.dims = 512;
    server.requests.length = 0;

    const response = await post(gw.url, [user(1), user(2), user(3)]);
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    const letters = deadLetters(gw.dataDir);
    expect(letters).toHaveLength(3);
    expect(letters[0]?.reason).toMatch(/512 dimensions, expected 384/);
    expect(await points(gw.url)).toMatchObject({ users: 0 });
    await eventually("/readyz to answer 503", async () =>
      (await readyz(gw.url)).status === 503 ? true : undefined,
    );
  }, 60_000);

  test("a search that waits over 10 s on a busy embedder gets its answer, not a closed connection", async () => {
    const server = embeddingsServer();
    // Past Bun's default idle timeout (10 s; it closed this one at 12 s), well within EMBEDDINGS_TIMEOUT_MS.
    server.delayMs = (input) => (input.includes("slow question") ? 13_000 : 0);
    const gw = await gateway(server, { EMBEDDINGS_TIMEOUT_MS: "30000" });
    const response = await fetch(`${gw.url}/search?q=slow+question`, {
      headers: { authorization: "Bearer tenant-a:u1" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ hits: [] });
  }, 60_000);

  test("the default model is asked for EMBEDDING_DIMS through `dimensions`", async () => {
    const server = embeddingsServer();
    await gateway(server, { EMBEDDINGS_MODEL: "" });
    expect(server.requests[0]?.body).toMatchObject({
      model: "text-embedding-3-small",
      dimensions: 384,
    });
  });
});

/** A gateway process (see gateway-process.ts), killed at the end. */
function gatewayProcess(env: Record<string, string>) {
  const gw = spawnGateway(env);
  cleanups.push(() => gw.child.kill(9));
  return gw;
}

describe("gateway process", () => {
  test("EMBEDDING_DIMS the model does not give stops start-up with one line naming both sizes", async () => {
    const server = embeddingsServer(384);
    const gw = gatewayProcess({ EMBEDDINGS_URL: server.url, EMBEDDING_DIMS: "512" });
    expect(await gw.outcome).toBe(1);
    const lines = (await new Response(gw.child.stderr).text()).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("384");
    expect(lines[0]).toContain("512");
  }, 30_000);

  test("an embeddings server that is down at start: the gateway starts, never printing credentials", async () => {
    const server = embeddingsServer();
    const url = server.url.replace("http://", "http://user:s3cret@");
    server.stop();
    const gw = gatewayProcess({ EMBEDDINGS_URL: url });
    expect(await gw.outcome).toBe("started");
    expect((await readyz(gw.url)).status).toBe(503);
    gw.child.kill("SIGTERM");
    expect(await gw.child.exited).toBe(0);
    const output = `${await new Response(gw.child.stdout).text()}${await new Response(gw.child.stderr).text()}`;
    expect(output).toContain("starting anyway");
    expect(output).not.toContain("s3cret");
  }, 30_000);

  test("SIGTERM while a batch waits on a stalled embedder: the ingest gets 503, exit 0 within the bound", async () => {
    const server = embeddingsServer();
    server.hangs = (input) => input.some((text) => text.includes("STUCK"));
    const gw = gatewayProcess({
      EMBEDDINGS_URL: server.url,
      EMBEDDINGS_MODEL: "all-minilm",
      EMBEDDINGS_TIMEOUT_MS: "600000",
      SHUTDOWN_TIMEOUT_MS: "1000",
    });
    expect(await gw.outcome).toBe("started");
    const ingest = post(gw.url, [task(1, "STUCK forever")]);
    await eventually("the batch to reach the embeddings server", async () =>
      server.texts.some((text) => text.includes("STUCK")) ? true : undefined,
    );
    gw.child.kill("SIGTERM");
    const response = await ingest;
    expect(response.status).toBe(503);
    expect(await gw.child.exited).toBe(0);
    expect(await new Response(gw.child.stdout).text()).not.toContain("did not finish");
  }, 30_000);
});
