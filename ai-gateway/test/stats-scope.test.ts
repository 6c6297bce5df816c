import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import { inProcessGateway, postEvents } from "./in-process.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gw-stats-scope-"));
const OPERATOR = "operator-token-0123456789-abcdefghij";
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The real gateway in this process, embedded mode, on one DATA_DIR across restarts. */
async function gateway(dims: number) {
  const env = { DATA_DIR: dataDir, EMBEDDING_DIMS: String(dims), OPERATOR_TOKEN: OPERATOR };
  return inProcessGateway(env, cleanups);
}

const users = (tenantId: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    makeEvent("user.created", {
      tenantId,
      source: "urn:test",
      data: { id: i + 1, name: `Person${i + 1}`, email: `p${i + 1}@${tenantId}.dev`, tenantId },
    }),
  );

async function post(url: string, events: AnyMeshEvent[]) {
  expect((await postEvents(url, events)).status).toBe(200);
}

interface Generation {
  id: number;
  state: string;
  done: number;
  total: number;
}
const generations = async (url: string, path: string, token: string) => {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { generations: Generation[] }).generations;
};

test("/stats counts a tenant's own entities in the generation block; /admin/stats the platform's, for operators", async () => {
  const first = await gateway(384);
  await post(first.url, [...users("tenant-a", 30), ...users("tenant-b", 70)]);
  await first.shutdown("restart with another size");

  const gw = await gateway(256);
  const deadline = Date.now() + 30_000;
  let platform: Generation[] = [];
  while (Date.now() < deadline) {
    platform = await generations(gw.url, "/admin/stats", OPERATOR);
    if (platform.find((g) => g.id === 2)?.state === "current") break;
    await Bun.sleep(100);
  }
  expect(platform).toMatchObject([
    { id: 1, state: "previous" },
    { id: 2, state: "current", done: 100, total: 100 },
  ]);
  expect((await generations(gw.url, "/stats", "tenant-a:u1"))[1]).toMatchObject({
    id: 2,
    done: 30,
    total: 30,
  });
  expect((await generations(gw.url, "/stats", "tenant-b:u1"))[1]).toMatchObject({
    id: 2,
    done: 70,
    total: 70,
  });
  // A tenant's token is not an operator's.
  const refused = await fetch(`${gw.url}/admin/stats`, {
    headers: { authorization: "Bearer tenant-a:u1" },
  });
  expect(refused.status).toBe(403);
}, 90_000);
