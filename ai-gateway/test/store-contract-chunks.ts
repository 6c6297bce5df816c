import { beforeEach, describe, expect, test } from "bun:test";
import { filterValuesOf } from "@event-mesh/contracts";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { chunkText } from "../src/vectors/chunks.ts";
import type { PointUpsert, SearchMode, VectorStore } from "../src/vectors/index.ts";
import { SEARCH_MODES } from "../src/vectors/index.ts";
import { pointId } from "../src/vectors/point-id.ts";
import { rng } from "./names.ts";

const embedder = new HashingEmbedder(384);
const TASKS = "tasks";
const SETTINGS = { chars: 1000, overlap: 200, maxChunks: 64 };
const WORDS = ["alpha", "bravo", "delta", "gamma", "kilo", "lima", "oscar", "papa", "romeo"];

/** About `chars` characters of filler sentences, different per seed. */
export function filler(seed: number, chars: number): string {
  const random = rng(seed);
  let text = "";
  while (text.length < chars) {
    const words = Array.from({ length: 8 }, () => WORDS[Math.floor(random() * WORDS.length)]);
    text += `${words.join(" ")} item${Math.floor(random() * 1000)}. `;
  }
  return text.slice(0, chars);
}

/** A task whose description is long, as the pipeline stores it: one vector per chunk. */
export function longTaskPoint(
  tenantId: string,
  id: number,
  description: string,
  options: { status?: string; version?: number } = {},
): PointUpsert {
  const status = options.status ?? "open";
  const data = { id, tenantId, title: `Task ${id}`, description, status };
  const text = `${data.title}\n${description}\n${status}`;
  const chunks = chunkText(text, SETTINGS).map((chunk) => ({
    ...chunk,
    vector: embedder.embedOne(chunk.text),
  }));
  const first = chunks[0];
  if (!first) throw new Error("no chunk");
  return {
    id: pointId(TASKS, tenantId, String(id)),
    tenantId,
    entityId: String(id),
    version: options.version ?? 1,
    vector: first.vector,
    text: first.text,
    filters: filterValuesOf(["status", "assignee"], data),
    data,
    chunks: chunks.length > 1 ? chunks : undefined,
  };
}

const PASSAGE = "Rotate the zephyr quokka credentials before the xylophone audit closes.";

/** A 4,000-character description with PASSAGE starting at character 3,800. */
function deepDescription(seed: number): string {
  return `${filler(seed, 3800)}${PASSAGE} ${filler(seed + 1, 4000)}`.slice(0, 4000);
}

function searchOf(store: VectorStore) {
  return (tenantId: string, text: string, mode: SearchMode, limit = 10, filter = {}) =>
    store.search(TASKS, tenantId, mode === "keyword" ? null : embedder.embedOne(text), limit, {
      mode,
      text,
      filter,
    });
}

/** Long texts in chunks: one hit per entity, by its best chunk, replaced and removed whole. */
export function describeChunks(name: string, fresh: () => Promise<VectorStore>): void {
  describe(`${name} (long texts in chunks)`, () => {
    let store: VectorStore;
    let search: ReturnType<typeof searchOf>;
    beforeEach(async () => {
      store = await fresh();
      search = searchOf(store);
    });

    test.each(SEARCH_MODES)(
      "%s: a passage deep in a long text finds its task first, highlighted",
      async (mode) => {
        const upserts = [1, 2, 3, 4, 5].map((id) =>
          longTaskPoint("tenant-a", id, id === 3 ? deepDescription(id) : filler(id * 10, 4000)),
        );
        await store.write(TASKS, { upserts, deletes: [] });
        const hits = await search("tenant-a", PASSAGE, mode);
        expect(hits[0]?.id).toBe("3");
        const full = `Task 3\n${deepDescription(3)}\nopen`;
        const at = full.indexOf(PASSAGE);
        expect(at).toBeGreaterThan(3800);
        const highlight = hits[0]?.highlight;
        expect(highlight?.text).toBe(full.slice(highlight?.start, highlight?.end));
        expect(highlight?.start).toBeLessThanOrEqual(at);
        expect(highlight?.end).toBeGreaterThanOrEqual(at + PASSAGE.length);
        expect(new Set(hits.map((hit) => hit.id)).size).toBe(hits.length);
      },
    );

    test("one hit per entity, and `limit` counts entities", async () => {
      const upserts = [1, 2, 3, 4, 5, 6].map((id) =>
        longTaskPoint("tenant-a", id, filler(7, 4000)),
      );
      await store.write(TASKS, { upserts, deletes: [] });
      for (const mode of SEARCH_MODES) {
        const hits = await search("tenant-a", filler(7, 300), mode, 4);
        expect(hits.map((hit) => hit.id).sort()).toHaveLength(4);
        expect(new Set(hits.map((hit) => hit.id)).size).toBe(4);
      }
      expect(await store.count(TASKS, "tenant-a")).toBe(6);
      const page = await store.listVersions(TASKS, "tenant-a", null, 100);
      expect(page.entries).toHaveLength(6);
    });

    test("an update to a shorter text leaves none of the old chunks findable", async () => {
      await store.write(TASKS, {
        upserts: [longTaskPoint("tenant-a", 3, deepDescription(3))],
        deletes: [],
      });
      const short = longTaskPoint("tenant-a", 3, "Water the plants", { version: 2 });
      await store.write(TASKS, { upserts: [short], deletes: [] });
      for (const mode of SEARCH_MODES) {
        const hits = await search("tenant-a", PASSAGE, mode);
        expect(hits.filter((hit) => hit.highlight !== undefined)).toEqual([]);
      }
      expect(await search("tenant-a", "zephyr quokka xylophone", "keyword")).toEqual([]);
      expect((await search("tenant-a", "plants", "keyword"))[0]?.id).toBe("3");
    });

    test("a delete removes every chunk; a late older version touches none", async () => {
      await store.write(TASKS, {
        upserts: [longTaskPoint("tenant-a", 3, deepDescription(3), { version: 2 })],
        deletes: [],
      });
      const older = longTaskPoint("tenant-a", 3, filler(99, 4000), { version: 1 });
      expect((await store.write(TASKS, { upserts: [older], deletes: [] })).stale).toBe(1);
      expect((await search("tenant-a", PASSAGE, "hybrid"))[0]?.data.description).toBe(
        deepDescription(3),
      );
      const gone = { id: older.id, tenantId: "tenant-a", entityId: "3", version: 3 };
      await store.write(TASKS, { upserts: [], deletes: [gone] });
      for (const mode of SEARCH_MODES) expect(await search("tenant-a", PASSAGE, mode)).toEqual([]);
      const late = longTaskPoint("tenant-a", 3, deepDescription(3), { version: 2 });
      expect((await store.write(TASKS, { upserts: [late], deletes: [] })).stale).toBe(1);
      expect(await search("tenant-a", PASSAGE, "keyword")).toEqual([]);
    });

    test("filters apply to chunked entities; tenants never see each other's chunks", async () => {
      await store.write(TASKS, {
        upserts: [
          longTaskPoint("tenant-a", 3, deepDescription(3), { status: "done" }),
          longTaskPoint("tenant-a", 4, deepDescription(3).replace("zephyr", "walrus")),
          longTaskPoint("tenant-b", 3, deepDescription(3)),
        ],
        deletes: [],
      });
      for (const mode of SEARCH_MODES) {
        const open = await search("tenant-a", PASSAGE, mode, 10, { status: ["open"] });
        expect(open.map((hit) => hit.id)).toEqual(["4"]);
        const done = await search("tenant-a", PASSAGE, mode, 10, { status: ["done"] });
        expect(done.map((hit) => hit.id)).toEqual(["3"]);
        const other = await search("tenant-c", PASSAGE, mode);
        expect(other).toEqual([]);
        const b = await search("tenant-b", PASSAGE, mode);
        expect(b.every((hit) => hit.data.tenantId === "tenant-b")).toBe(true);
      }
      await store.eraseTenant(TASKS, "tenant-b");
      expect(await search("tenant-b", PASSAGE, "hybrid")).toEqual([]);
      expect((await search("tenant-a", PASSAGE, "hybrid")).length).toBe(2);
      await store.purge(TASKS, "tenant-a", ["3"]);
      expect((await search("tenant-a", PASSAGE, "keyword")).map((hit) => hit.id)).toEqual(["4"]);
    });
  });
}
