import { beforeEach, describe, expect, test } from "bun:test";
import { filterValuesOf } from "@event-mesh/contracts";
import fc from "fast-check";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import { FUSIONS } from "../src/vectors/fusion.ts";
import type {
  PointUpsert,
  SearchFilter,
  SearchMode,
  SearchOptions,
  VectorStore,
} from "../src/vectors/index.ts";
import { SEARCH_MODES } from "../src/vectors/index.ts";
import { pointId } from "../src/vectors/point-id.ts";

const embedder = new HashingEmbedder(384);
const TASKS = "tasks";
const FIELDS = ["status", "assignee"];

/** A task point as the pipeline would build it (text, filter values and payload). */
export function taskPoint(
  tenantId: string,
  id: number,
  title: string,
  status = "open",
  options: { assignee?: number | string; version?: number } = {},
): PointUpsert {
  const data = {
    id,
    tenantId,
    title,
    description: "",
    status,
    ...(options.assignee === undefined ? {} : { assignee: options.assignee }),
  };
  const text = `${title}\n\n${status}`;
  return {
    id: pointId(TASKS, tenantId, String(id)),
    tenantId,
    entityId: String(id),
    version: options.version ?? 1,
    vector: embedder.embedOne(text),
    text,
    filters: filterValuesOf(FIELDS, data),
    data,
  };
}

const gone = (tenantId: string, id: number, version: number) => ({
  id: pointId(TASKS, tenantId, String(id)),
  tenantId,
  entityId: String(id),
  version,
});

/** A search of one mode, as the route runs it: the query embedded, its words beside. */
function searchOf(store: VectorStore) {
  return (
    tenantId: string,
    text: string,
    mode: SearchMode,
    limit = 10,
    options: SearchOptions = {},
  ) => {
    const vector = mode === "keyword" ? null : embedder.embedOne(text);
    return store.search(TASKS, tenantId, vector, limit, { mode, text, ...options });
  };
}

/** Keyword, vector and hybrid retrieval and filters: what every store must do alike. */
export function describeSearchModes(name: string, fresh: () => Promise<VectorStore>): void {
  describe(`${name} (search modes and filters)`, () => {
    let store: VectorStore;
    let search: ReturnType<typeof searchOf>;
    beforeEach(async () => {
      store = await fresh();
      search = searchOf(store);
    });

    test("keyword mode finds an exact invoice number, only within the tenant", async () => {
      await store.write(TASKS, {
        upserts: [
          taskPoint("tenant-a", 1, "Refund INV-2024-0043 to Acme"),
          taskPoint("tenant-a", 2, "Refund INV-2024-0042 to Acme"),
          taskPoint("tenant-a", 3, "Water the plants"),
          taskPoint("tenant-b", 2, "Refund INV-2024-0042 to Other"),
        ],
        deletes: [],
      });
      const hits = await search("tenant-a", "INV-2024-0042", "keyword");
      expect(hits[0]?.id).toBe("2");
      expect(hits.map((hit) => hit.id).sort()).toEqual(["1", "2"]);
      expect(hits.every((hit) => hit.data.tenantId === "tenant-a")).toBe(true);
      expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? 1);
      expect(hits[0]?.score).toBeLessThan(1);
      expect(await search("tenant-c", "INV-2024-0042", "keyword")).toEqual([]);
      expect(await search("tenant-a", "!?", "keyword")).toEqual([]);
    });

    test.each(FUSIONS)(
      "hybrid (%s fusion): first by words and by meaning scores 1, others below, best first",
      async (fusion) => {
        await store.write(TASKS, {
          upserts: [
            taskPoint("tenant-a", 1, "Renew the TLS certificate"),
            taskPoint("tenant-a", 2, "Renew the office lease"),
            taskPoint("tenant-b", 1, "Renew the TLS certificate"),
          ],
          deletes: [],
        });
        const hits = await search("tenant-a", "Renew the TLS certificate", "hybrid", 10, {
          fusion,
        });
        expect(hits.map((hit) => hit.id)).toEqual(["1", "2"]);
        expect(hits[0]?.score).toBe(1);
        expect(hits[1]?.score).toBeLessThan(1);
        expect(hits.every((hit) => hit.data.tenantId === "tenant-a")).toBe(true);
        // No words in common and a vector floor above every similarity: nothing fused in.
        const none = await search("tenant-a", "zzqx", "hybrid", 10, { vectorFloor: 0.99, fusion });
        expect(none).toEqual([]);
      },
    );

    test("no mode finds a deleted entity, nor one a late older upsert tries to bring back", async () => {
      await store.write(TASKS, {
        upserts: [taskPoint("tenant-a", 1, "Shred payroll")],
        deletes: [],
      });
      await store.write(TASKS, { upserts: [], deletes: [gone("tenant-a", 1, 3)] });
      const late = taskPoint("tenant-a", 1, "Shred payroll", "open", { version: 2 });
      expect((await store.write(TASKS, { upserts: [late], deletes: [] })).stale).toBe(1);
      for (const mode of SEARCH_MODES) {
        expect(await search("tenant-a", "Shred payroll", mode), mode).toEqual([]);
      }
    });

    test("an older version never puts back the words a newer one replaced", async () => {
      const newer = taskPoint("tenant-a", 5, "Call Zebra Corp", "open", { version: 3 });
      const older = taskPoint("tenant-a", 5, "Call Yak Ltd", "open", { version: 2 });
      await store.write(TASKS, {
        upserts: [taskPoint("tenant-a", 5, "Email Yak Ltd")],
        deletes: [],
      });
      await store.write(TASKS, { upserts: [newer], deletes: [] });
      await store.write(TASKS, { upserts: [older], deletes: [] });
      expect(await search("tenant-a", "Yak", "keyword")).toEqual([]);
      expect((await search("tenant-a", "Zebra", "keyword")).map((hit) => hit.id)).toEqual(["5"]);
    });

    test("an entity written twice in one batch keeps only the later words, in every mode", async () => {
      await store.write(TASKS, {
        upserts: [taskPoint("tenant-a", 7, "Email Okapi Ltd")],
        deletes: [],
      });
      // One batch: the stored entity updated twice, and a new one created then updated.
      await store.write(TASKS, {
        upserts: [
          taskPoint("tenant-a", 7, "Call Narwhal Inc", "open", { version: 2 }),
          taskPoint("tenant-a", 8, "Visit Axolotl Co", "open", { version: 1 }),
          taskPoint("tenant-a", 7, "Fax Pangolin plc", "open", { version: 3 }),
          taskPoint("tenant-a", 8, "Ring Tapir GmbH", "open", { version: 2 }),
        ],
        deletes: [],
      });
      for (const word of ["Okapi", "Narwhal", "Axolotl"])
        expect(await search("tenant-a", word, "keyword"), word).toEqual([]);
      for (const mode of SEARCH_MODES) {
        const pangolin = await search("tenant-a", "Fax Pangolin plc", mode);
        expect(pangolin.map((hit) => hit.id)[0], mode).toBe("7");
        const tapir = await search("tenant-a", "Ring Tapir GmbH", mode);
        expect(tapir.map((hit) => hit.id)[0], mode).toBe("8");
      }
      expect(await store.count(TASKS, "tenant-a")).toBe(2);
    });

    test("purge removes an entity's words too", async () => {
      await store.write(TASKS, {
        upserts: [taskPoint("tenant-a", 9, "Forged quokka")],
        deletes: [],
      });
      await store.purge(TASKS, "tenant-a", ["9"]);
      expect(await search("tenant-a", "quokka", "keyword")).toEqual([]);
    });

    test("a filtered search fills `limit` with qualifying hits that a top-k would crowd out", async () => {
      const done = Array.from({ length: 60 }, (_, i) =>
        taskPoint("tenant-a", i + 1, `Deploy billing service ${i}`, "completed"),
      );
      const open = Array.from({ length: 6 }, (_, i) =>
        taskPoint("tenant-a", 100 + i, `Deploy docs site ${i}`, "open", {
          assignee: i % 2 ? 7 : "u-8",
        }),
      );
      await store.write(TASKS, { upserts: [...done, ...open], deletes: [] });
      for (const mode of SEARCH_MODES) {
        const opts = { filter: { status: ["open"] }, vectorFloor: -1 };
        const hits = await search("tenant-a", "Deploy billing service", mode, 5, opts);
        expect(hits.length, mode).toBe(5);
        expect(
          hits.every((hit) => hit.data.status === "open"),
          mode,
        ).toBe(true);
      }
      // AND across fields, any of the values within one; a numeric assignee matches "7".
      const filter = { status: ["open", "in_progress"], assignee: ["7"] };
      const hits = await search("tenant-a", "Deploy", "keyword", 10, { filter });
      expect(hits.map((hit) => hit.id).sort()).toEqual(["101", "103", "105"]);
      expect(
        await search("tenant-a", "Deploy", "vector", 10, { filter: { assignee: ["x"] } }),
      ).toEqual([]);
    });

    test("filtered results match a brute-force search (property)", async () => {
      const VOCAB = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
      const STATUSES = ["open", "in_progress", "completed"];
      const ASSIGNEES = [undefined, 1, 2, "u-3"];
      const task = fc.record({
        words: fc.subarray(VOCAB, { minLength: 1 }),
        status: fc.constantFrom(...STATUSES),
        assignee: fc.constantFrom(...ASSIGNEES),
      });
      const filter = fc.record(
        {
          status: fc.subarray(STATUSES, { minLength: 1 }),
          assignee: fc.subarray(["1", "2", "u-3"], { minLength: 1 }),
        },
        { requiredKeys: [] },
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(task, { minLength: 1, maxLength: 25 }),
          filter,
          fc.constantFrom(...SEARCH_MODES),
          fc.subarray(VOCAB, { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 1, max: 30 }),
          async (tasks, wanted: SearchFilter, mode, words, limit) => {
            const tenant = `prop-${run++}`;
            const points = tasks.map((t, i) =>
              taskPoint(tenant, i + 1, t.words.join(" "), t.status, {
                ...(t.assignee === undefined ? {} : { assignee: t.assignee }),
              }),
            );
            await store.write(TASKS, { upserts: points, deletes: [] });
            const text = words.join(" ");
            const qualifies = (p: PointUpsert) =>
              Object.entries(wanted).every(([field, values]) =>
                values.includes(p.filters[field] ?? "\u0000"),
              );
            // Brute force: every qualifying entity, and those sharing a word with the query.
            const eligible = points
              .filter(qualifies)
              .filter((p) =>
                mode === "keyword" ? words.some((w) => p.text.split(/\s+/).includes(w)) : true,
              );
            const hits = await search(tenant, text, mode, limit, {
              filter: wanted,
              vectorFloor: -1,
            });
            const byId = new Map(points.map((p) => [p.entityId, p]));
            for (const hit of hits) expect(qualifies(byId.get(hit.id) as PointUpsert)).toBe(true);
            expect(new Set(hits.map((hit) => hit.id)).size).toBe(hits.length);
            expect(hits.length).toBe(Math.min(limit, eligible.length));
            if (mode === "vector") {
              // Exhaustive: no qualifying entity left out scores above the last hit returned.
              const query = embedder.embedOne(text);
              const cosine = (p: PointUpsert) => dot(p.vector, query);
              const returned = new Set(hits.map((hit) => hit.id));
              const last = hits.at(-1)?.score ?? Number.POSITIVE_INFINITY;
              for (const p of eligible)
                if (!returned.has(p.entityId)) expect(cosine(p)).toBeLessThanOrEqual(last + 1e-5);
            }
          },
        ),
        { numRuns: 25, seed: 21 },
      );
    });
  });
}

/** Dot product: the hashing embedder's vectors are unit length, so this is their cosine. */
function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
