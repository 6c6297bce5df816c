import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import { openDatabase } from "../src/db.ts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { embedAll } from "../src/embedders/index.ts";
import { buildGeneration, type SnapshotSource } from "../src/generations/builder.ts";
import { Generations } from "../src/generations/generations.ts";
import { qdrantPointer } from "../src/generations/qdrant-pointer.ts";
import { GenerationTable } from "../src/generations/table.ts";
import { pointId } from "../src/vectors/point-id.ts";
import { QdrantStore } from "../src/vectors/qdrant.ts";
import { QdrantDouble } from "./qdrant-double.ts";
import { QDRANT_OPENAPI_PATH, QdrantSchema } from "./qdrant-schema.ts";

const schema = QdrantSchema.load();
if (!schema) console.log(`skip: generations on Qdrant, no ${QDRANT_OPENAPI_PATH}`);
const dirs: string[] = [];
const doubles: QdrantDouble[] = [];
afterAll(() => {
  for (const double of doubles) double.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const COLLECTIONS = ["users", "tasks"];
const name = (id: number) => `Person${id} Surname${id * 3}`;
const created = (id: number): AnyMeshEvent =>
  makeEvent("user.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    data: { id, name: name(id), email: `p${id}@a.dev`, tenantId: "tenant-a" },
  });

/** One gateway's generations: its own SQLite table, the shared Qdrant. */
function gateway(url: string, dims: number) {
  const dir = mkdtempSync(join(tmpdir(), "gw-gen-qdrant-"));
  dirs.push(dir);
  const db = openDatabase(dir);
  const table = new GenerationTable(db);
  const generations = new Generations({
    table,
    configured: new HashingEmbedder(dims),
    embedderOf: (spec) => new HashingEmbedder(spec.dims),
    open: async (row, collections) => {
      const store = new QdrantStore({ url });
      await store.init(row.dims, collections);
      return store;
    },
    pointer: qdrantPointer({ url, collections: COLLECTIONS }),
  });
  const search = async (text: string) => {
    const [vector] = await embedAll(generations.embedder, [text]);
    if (!vector) throw new Error("no vector");
    const hits = await generations.store.search("users", "tenant-a", vector, 3);
    return { dims: vector.length, first: hits[0]?.data.name };
  };
  return { table, generations, search };
}

describe.skipIf(!schema)("generations on Qdrant: the current one is an alias", () => {
  test("two gateways sharing Qdrant: one builds and switches the aliases, the other follows; a rollback moves both back", async () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    doubles.push(double);
    const a1 = gateway(double.url, 384);
    await a1.generations.start(COLLECTIONS);
    const v384 = new HashingEmbedder(384);
    const upserts = [1, 2, 3].map((id) => ({
      id: pointId("users", "tenant-a", String(id)),
      tenantId: "tenant-a",
      entityId: String(id),
      version: 1,
      vector: v384.embedOne(`${name(id)} p${id}@a.dev`),
      text: `${name(id)} p${id}@a.dev`,
      filters: {},
      data: { id, name: name(id), email: `p${id}@a.dev`, tenantId: "tenant-a" },
    }));
    await a1.generations.store.write("users", { upserts, deletes: [] });
    expect(double.aliases.get("users__current")).toBe("users");

    // Both gateways restarted with 256 dimensions: each records generation 2, building.
    const a = gateway(double.url, 256);
    const b = gateway(double.url, 256);
    for (const gw of [a, b]) {
      gw.table.ensureCurrent({ embedder: "hashing", dims: 384 });
      await gw.generations.start(COLLECTIONS);
    }
    expect((await b.search(name(2))).dims).toBe(384);
    const source: SnapshotSource = {
      total: async () => 3,
      batches: async function* () {
        yield [1, 2, 3].map(created);
      },
    };
    const outcome = await buildGeneration(a.generations, a.table, source);
    expect(outcome).toMatchObject({ generation: 2, switched: true });
    expect(double.aliases.get("users__current")).toBe("users__g2");
    expect(double.aliases.get("tasks__current")).toBe("tasks__g2");

    await b.generations.refresh();
    expect(b.table.inState("current")?.id).toBe(2);
    expect(await b.search(name(2))).toEqual({ dims: 256, first: name(2) });

    expect(await b.generations.rollback()).toBe(true);
    expect(double.aliases.get("users__current")).toBe("users");
    await a.generations.refresh();
    expect(a.table.inState("current")?.id).toBe(1);
    expect(await a.search(name(3))).toEqual({ dims: 384, first: name(3) });
    expect(double.problems).toEqual([]);
    expect(double.requests.some((r) => r.template === "/collections/aliases")).toBe(true);
  });

  test("gateways pointing the aliases at the same moment all succeed (they race to create them)", async () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    doubles.push(double);
    await new QdrantStore({ url: double.url }).init(384, COLLECTIONS);
    const pointers = [1, 2, 3].map(() =>
      qdrantPointer({ url: double.url, collections: COLLECTIONS }),
    );
    await Promise.all(pointers.map((pointer) => pointer.point(1)));
    expect(Object.fromEntries(double.aliases)).toEqual({
      users__current: "users",
      tasks__current: "tasks",
    });
    expect(await pointers[2]?.read()).toBe(1);
  });
});
