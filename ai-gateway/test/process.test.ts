import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { MAIN, spawnGateway } from "./gateway-process.ts";

/** Starts the gateway as a process on a free port and waits for /healthz. */
async function startedGateway(dataDir: string) {
  const gw = spawnGateway({ DATA_DIR: dataDir });
  if ((await gw.outcome) === "started") return gw;
  throw new Error(`gateway did not start: ${await new Response(gw.child.stderr).text()}`);
}

test("SIGTERM finishes the work in hand and exits 0; the data survives a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-proc-"));
  const first = await startedGateway(dataDir);
  const events = Array.from({ length: 50 }, (_, i) =>
    makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: {
        id: i + 1,
        name: `Process Person ${i + 1}`,
        email: `p${i + 1}@a.dev`,
        tenantId: "tenant-a",
      },
    }),
  );
  const batch = encodeHttpBatch(events);
  const ingest = fetch(`${first.url}/events`, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": batch.contentType },
    body: batch.body,
  });
  const response = await ingest;
  first.child.kill("SIGTERM");
  expect(response.status).toBe(200);
  expect(await first.child.exited).toBe(0);

  const second = await startedGateway(dataDir);
  try {
    const search = await fetch(`${second.url}/search?q=Process%20Person%2042&limit=1`, {
      headers: { authorization: "Bearer tenant-a:u1" },
    });
    const body = (await search.json()) as { hits: { id: string }[] };
    expect(body.hits.map((hit) => hit.id)).toEqual(["42"]);
  } finally {
    second.child.kill("SIGTERM");
    expect(await second.child.exited).toBe(0);
  }
}, 60_000);

test("a bad variable stops start-up with a message naming it", async () => {
  const child = Bun.spawn(["bun", MAIN], {
    env: { ...process.env, BATCH_MAX: "many", PORT: "1" },
    stderr: "pipe",
    stdout: "pipe",
  });
  expect(await child.exited).toBe(1);
  expect(await new Response(child.stderr).text()).toContain("BATCH_MAX");
}, 30_000);
