import { beforeEach, describe, expect, test } from "bun:test";
import { HashingEmbedder } from "../src/embedders/hashing.ts";
import type { Collection, PointDelete, PointUpsert, VectorStore } from "../src/vectors/index.ts";
import { pointId } from "../src/vectors/point-id.ts";
import { describeChunks } from "./store-contract-chunks.ts";
import { describeSearchModes } from "./store-contract-search.ts";

const embedder = new HashingEmbedder(384);

/** A user point as the pipeline would build it. */
export function userPoint(tenantId: string, id: number, name: string, version = 1): PointUpsert {
  const data = {
    id,
    name,
    email: `${name.split(" ")[0]?.toLowerCase()}@${tenantId}.dev`,
    tenantId,
  };
  return {
    id: pointId("users", tenantId, String(id)),
    tenantId,
    entityId: String(id),
    version,
    vector: embedder.embedOne(`${data.name} ${data.email}`),
    text: `${data.name} ${data.email}`,
    filters: {},
    data,
  };
}

function deletion(tenantId: string, id: number, version: number): PointDelete {
  return { id: pointId("users", tenantId, String(id)), tenantId, entityId: String(id), version };
}

const query = (text: string) => embedder.embedOne(text);
const USERS: Collection = "users";

/** The behaviour every vector store must have. `fresh` gives an initialised, empty store. */
export function describeVectorStore(name: string, fresh: () => Promise<VectorStore>): void {
  describeSearchModes(name, fresh);
  describeChunks(name, fresh);
  describe(`${name} (store contract)`, () => {
    let store: VectorStore;
    beforeEach(async () => {
      store = await fresh();
    });

    test("finds a stored user by name, and only within the tenant", async () => {
      await store.write(USERS, {
        upserts: [userPoint("tenant-a", 1, "Alice Smith"), userPoint("tenant-b", 1, "Alice Smith")],
        deletes: [],
      });
      const hits = await store.search(USERS, "tenant-a", query("Alice Smith"), 10);
      expect(hits).toHaveLength(1);
      expect(hits[0]?.id).toBe("1");
      expect(hits[0]?.data.tenantId).toBe("tenant-a");
      expect(hits[0]?.score).toBeGreaterThan(0.5);
      expect(await store.search(USERS, "tenant-c", query("Alice Smith"), 10)).toEqual([]);
    });

    test("writing the same entity twice keeps one point", async () => {
      await store.write(USERS, { upserts: [userPoint("tenant-a", 7, "Bob")], deletes: [] });
      await store.write(USERS, { upserts: [userPoint("tenant-a", 7, "Bob")], deletes: [] });
      expect(await store.count(USERS, "tenant-a")).toBe(1);
    });

    test("an older version does not overwrite a newer one", async () => {
      await store.write(USERS, {
        upserts: [userPoint("tenant-a", 2, "Carol New", 3)],
        deletes: [],
      });
      const result = await store.write(USERS, {
        upserts: [userPoint("tenant-a", 2, "Carol Old", 2)],
        deletes: [],
      });
      expect(result.stale).toBe(1);
      const hits = await store.search(USERS, "tenant-a", query("Carol"), 10);
      expect(hits.map((hit) => hit.data.name)).toEqual(["Carol New"]);
    });

    test("deletes remove the point unless a newer version is stored", async () => {
      await store.write(USERS, { upserts: [userPoint("tenant-a", 3, "Dan", 5)], deletes: [] });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 3, 4)] });
      expect(await store.count(USERS, "tenant-a")).toBe(1);
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 3, 6)] });
      expect(await store.count(USERS, "tenant-a")).toBe(0);
    });

    test("a late, older upsert does not bring a deleted user back", async () => {
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 4, 3)] });
      await store.write(USERS, { upserts: [userPoint("tenant-a", 4, "Eve", 2)], deletes: [] });
      expect(await store.count(USERS, "tenant-a")).toBe(0);
    });

    test("a replayed older upsert after a delete does not resurrect the entity", async () => {
      await store.write(USERS, {
        upserts: [userPoint("tenant-a", 5, "Frank Replay", 1)],
        deletes: [],
      });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 5, 3)] });
      // The update of version 2 arrives again (redelivery, a rewound consumer) after the delete.
      const replay = await store.write(USERS, {
        upserts: [userPoint("tenant-a", 5, "Frank Replay", 2)],
        deletes: [],
      });
      expect(replay).toEqual({ upserted: 0, deleted: 0, stale: 1 });
      expect(await store.count(USERS, "tenant-a")).toBe(0);
      expect(await store.search(USERS, "tenant-a", query("Frank Replay"), 10)).toEqual([]);
      // A newer version (the entity created again) is stored as usual.
      await store.write(USERS, {
        upserts: [userPoint("tenant-a", 5, "Frank Replay", 4)],
        deletes: [],
      });
      const hits = await store.search(USERS, "tenant-a", query("Frank Replay"), 10);
      expect(hits.map((hit) => hit.id)).toEqual(["5"]);
    });

    test("counts and searches leave deleted entities out", async () => {
      await store.write(USERS, {
        upserts: [
          userPoint("tenant-a", 8, "Grace Kept"),
          userPoint("tenant-a", 9, "Heidi Gone"),
          userPoint("tenant-b", 9, "Heidi Other"),
        ],
        deletes: [],
      });
      await store.write(USERS, {
        upserts: [],
        deletes: [deletion("tenant-a", 9, 2), deletion("tenant-a", 10, 1)],
      });
      expect(await store.count(USERS, "tenant-a")).toBe(1);
      expect(await store.count(USERS)).toBe(2);
      const hits = await store.search(USERS, "tenant-a", query("Heidi Gone"), 10);
      expect(hits.map((hit) => hit.id)).toEqual(["8"]);
    });

    test("lists a tenant's live entities with versions, page by page", async () => {
      const upserts = Array.from({ length: 7 }, (_, i) =>
        userPoint("tenant-a", i + 1, `P ${i}`, i + 1),
      );
      await store.write(USERS, {
        upserts: [...upserts, userPoint("tenant-b", 1, "Other")],
        deletes: [],
      });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 7, 8)] });
      const seen = new Map<string, number>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.listVersions(USERS, "tenant-a", cursor, 3);
        for (const entry of page.entries) seen.set(entry.entityId, entry.version);
        cursor = page.next;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect([...seen.entries()].sort()).toEqual(
        Array.from({ length: 6 }, (_, i) => [String(i + 1), i + 1] as [string, number]),
      );
      expect((await store.listVersions(USERS, "tenant-c", null, 10)).entries).toEqual([]);
    });

    test("purge forgets a forged higher version, so the real lower one can be written", async () => {
      await store.write(USERS, { upserts: [userPoint("tenant-a", 9, "Forged", 99)], deletes: [] });
      await store.write(USERS, { upserts: [userPoint("tenant-b", 9, "Kept", 99)], deletes: [] });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 10, 50)] });
      await store.purge(USERS, "tenant-a", ["9", "10"]);
      const result = await store.write(USERS, {
        upserts: [userPoint("tenant-a", 9, "Real", 2), userPoint("tenant-a", 10, "Back", 3)],
        deletes: [],
      });
      expect(result.stale).toBe(0);
      const versions = await store.listVersions(USERS, "tenant-a", null, 10);
      expect(versions.entries.sort((a, b) => a.entityId.localeCompare(b.entityId))).toEqual([
        { entityId: "10", version: 3 },
        { entityId: "9", version: 2 },
      ]);
      // Purging by tenant never touches another tenant's point of the same entity id.
      expect((await store.listVersions(USERS, "tenant-b", null, 10)).entries).toEqual([
        { entityId: "9", version: 99 },
      ]);
    });

    test("versions: the stored version of each entity asked, only within the tenant", async () => {
      await store.write(USERS, {
        upserts: [userPoint("tenant-a", 10, "Fay", 2), userPoint("tenant-a", 11, "Gus", 5)],
        deletes: [],
      });
      await store.write(USERS, { upserts: [userPoint("tenant-b", 12, "Hal", 7)], deletes: [] });
      const versions = await store.versions(USERS, "tenant-a", ["10", "11", "12", "99"]);
      expect(versions).toEqual(
        new Map([
          ["10", { version: 2, deleted: false }],
          ["11", { version: 5, deleted: false }],
        ]),
      );
      expect(await store.versions(USERS, "tenant-b", ["10", "12"])).toEqual(
        new Map([["12", { version: 7, deleted: false }]]),
      );
      expect(await store.versions(USERS, "tenant-a", [])).toEqual(new Map());
    });

    test("versions: a deleted entity is a tombstone with the delete's version", async () => {
      await store.write(USERS, { upserts: [userPoint("tenant-a", 13, "Ida", 1)], deletes: [] });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 13, 2)] });
      expect((await store.versions(USERS, "tenant-a", ["13"])).get("13")).toEqual({
        version: 2,
        deleted: true,
      });
    });

    test("erasing a tenant removes its points and tombstones in the collection, never another tenant's", async () => {
      await store.write(USERS, {
        upserts: [
          userPoint("tenant-a", 1, "Alice Smith"),
          userPoint("tenant-a", 2, "Bob Stone"),
          userPoint("tenant-b", 1, "Alice Smith"),
        ],
        deletes: [],
      });
      await store.write(USERS, { upserts: [], deletes: [deletion("tenant-a", 2, 2)] });
      // Two points: the live one and the tombstone.
      expect(await store.eraseTenant(USERS, "tenant-a")).toBe(2);
      expect(await store.search(USERS, "tenant-a", query("Alice Smith"), 10)).toEqual([]);
      expect(await store.count(USERS, "tenant-a")).toBe(0);
      // The tombstone is gone too: nothing is known of entity 2 any more.
      expect(await store.versions(USERS, "tenant-a", ["1", "2"])).toEqual(new Map());
      const theirs = await store.search(USERS, "tenant-b", query("Alice Smith"), 10);
      expect(theirs.map((hit) => hit.id)).toEqual(["1"]);
      expect(await store.eraseTenant(USERS, "tenant-a")).toBe(0);
      // The tenant can be written again from scratch (a tenant provisioned again).
      await store.write(USERS, { upserts: [userPoint("tenant-a", 2, "Bob Stone")], deletes: [] });
      expect(await store.count(USERS, "tenant-a")).toBe(1);
    });

    test("answers at most `limit` hits, best first", async () => {
      const upserts = Array.from({ length: 30 }, (_, i) =>
        userPoint("tenant-a", i + 100, `Person ${i}`),
      );
      await store.write(USERS, { upserts, deletes: [] });
      const hits = await store.search(USERS, "tenant-a", query("Person 12"), 5);
      expect(hits).toHaveLength(5);
      expect(hits[0]?.id).toBe("112");
      const scores = hits.map((hit) => hit.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });
  });
}
