import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import { eventually } from "@event-mesh/service-kit";
import { inProcessGateway, postEvents } from "./in-process.ts";

const ROOT = join(import.meta.dir, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "gw-reembed-"));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The real gateway in this process, embedded mode (sqlite-vec, HTTP ingest, hashing embedder). */
async function gateway(dims: number) {
  return inProcessGateway({ DATA_DIR: dataDir, EMBEDDING_DIMS: String(dims) }, cleanups);
}

const user = (id: number, name: string) =>
  makeEvent("user.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    data: { id, name, email: `p${id}@a.dev`, tenantId: "tenant-a" },
  });

async function post(url: string, events: AnyMeshEvent[]) {
  expect((await postEvents(url, events)).status).toBe(200);
}

const A = { authorization: "Bearer tenant-a:u1" };
interface Stats {
  points: Record<string, number>;
  generations: {
    id: number;
    state: string;
    dims: number;
    done: number;
    total: number;
    serving: boolean;
  }[];
}
const stats = async (url: string) =>
  (await (await fetch(`${url}/stats`, { headers: A })).json()) as Stats;
const firstHit = async (url: string, q: string) => {
  const response = await fetch(`${url}/search?q=${encodeURIComponent(q)}`, { headers: A });
  expect(response.status).toBe(200);
  return ((await response.json()) as { hits: { data: { name: string } }[] }).hits[0]?.data.name;
};

function reembed(...args: string[]) {
  const run = Bun.spawnSync(["bun", "run", "reembed", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
  });
  return { code: run.exitCode, out: run.stdout.toString(), err: run.stderr.toString() };
}

test("EMBEDDING_DIMS 384 → 256 on restart: rebuilt from the stored data, switched, shown in /stats and `reembed status`, rolled back by `reembed rollback`", async () => {
  const first = await gateway(384);
  await post(
    first.url,
    Array.from({ length: 300 }, (_, i) => user(i + 1, `Person${i + 1} Name`)),
  );
  expect((await stats(first.url)).generations).toMatchObject([
    { id: 1, state: "current", dims: 384, serving: true },
  ]);
  await first.shutdown("restart with another size");

  const gw = await gateway(256);
  // Searches and new users while the new generation is built; every search answers.
  for (let i = 0; i < 5; i++) {
    await post(gw.url, [user(1000 + i, `Newcomer${i} Person`)]);
    expect(await firstHit(gw.url, `Newcomer${i} Person`)).toBe(`Newcomer${i} Person`);
  }
  const switched = await eventually("generation 2 to become current", async () => {
    const { generations } = await stats(gw.url);
    return generations.find((g) => g.serving)?.id === 2 ? generations : undefined;
  });
  expect(switched).toMatchObject([
    { id: 1, state: "previous", dims: 384, serving: false },
    { id: 2, state: "current", dims: 256, done: 300, total: 300, serving: true },
  ]);
  expect((await stats(gw.url)).points.users).toBe(305);
  expect(await firstHit(gw.url, "Person7 Name")).toBe("Person7 Name");
  expect(await firstHit(gw.url, "Newcomer3 Person")).toBe("Newcomer3 Person");

  const status = reembed("status");
  expect(status.code).toBe(0);
  expect(status.out).toContain("g1 previous  hashing/384");
  expect(status.out).toContain("g2 current   hashing/256");

  const rollback = reembed("rollback");
  expect(rollback.out).toContain("g1 (hashing/384) is current again");
  await eventually("the gateway to follow the rollback", async () => {
    const { generations } = await stats(gw.url);
    return generations.find((g) => g.serving)?.id === 1 ? true : undefined;
  });
  expect(await firstHit(gw.url, "Newcomer3 Person")).toBe("Newcomer3 Person");
  expect(reembed("rollback").out).toContain("rolled back: g2");
}, 90_000);
