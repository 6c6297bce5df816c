/**
 * The gateway's vector store as a reconcile test tampers with it while the gateway is stopped:
 * a backup and its restore, and a VectorStore on the same data for edits behind the gateway's
 * back. One for the sqlite-vec file, one for the schema-checking Qdrant double.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../ai-gateway/src/db.ts";
import { HashingEmbedder } from "../../ai-gateway/src/embedders/hashing.ts";
import type { PointUpsert, VectorStore } from "../../ai-gateway/src/vectors/index.ts";
import { pointId } from "../../ai-gateway/src/vectors/point-id.ts";
import { QdrantStore } from "../../ai-gateway/src/vectors/qdrant.ts";
import { SqliteVecStore } from "../../ai-gateway/src/vectors/sqlite-vec.ts";
import type { QdrantDouble } from "../../ai-gateway/test/qdrant-double.ts";

/** What a test does to a stopped gateway's store. */
export interface StoreHandle {
  /** Extra gateway variables that select this store. */
  env: Record<string, string>;
  backup(): void;
  restore(): void;
  /** Runs `edit` on a store over the same data, then closes it. */
  edit(edit: (store: VectorStore) => Promise<void>): Promise<void>;
  /** The tenant's stored versions, by entity id. */
  versions(tenant: string): Promise<Map<string, number>>;
}

const embedder = new HashingEmbedder(384);

/** A `users` point for a user, as the pipeline would store it, at any version. */
export function userPoint(
  user: { id: string; tenantId: string; name: string; email: string },
  version: number,
): PointUpsert {
  const data = { id: user.id, email: user.email, name: user.name, tenantId: user.tenantId };
  return {
    id: pointId("users", user.tenantId, user.id),
    tenantId: user.tenantId,
    entityId: user.id,
    version,
    vector: embedder.embedOne(`${user.name} ${user.email}`),
    text: `${user.name} ${user.email}`,
    filters: {},
    data,
  };
}

async function versionsOf(store: VectorStore, tenant: string) {
  const versions = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const page = await store.listVersions("users", tenant, cursor, 500);
    for (const entry of page.entries) versions.set(entry.entityId, entry.version);
    cursor = page.next;
  } while (cursor);
  return versions;
}

/** The gateway's SQLite file in `dir` (copied whole, WAL included, while the gateway is down). */
export function sqliteHandle(dir: string): StoreHandle {
  const saved = `${dir}.backup`;
  const files = (from: string) =>
    readdirSync(from).filter((f) => f.startsWith("ai-gateway.sqlite"));
  const open = async () => {
    const db = openDatabase(dir);
    const store = new SqliteVecStore(db);
    await store.init(384);
    return { store, close: () => db.close() };
  };
  return {
    env: {},
    backup() {
      mkdirSync(saved, { recursive: true });
      for (const f of files(dir)) copyFileSync(join(dir, f), join(saved, f));
    },
    restore() {
      for (const f of files(dir)) rmSync(join(dir, f));
      for (const f of files(saved)) copyFileSync(join(saved, f), join(dir, f));
    },
    async edit(edit) {
      const { store, close } = await open();
      try {
        await edit(store);
      } finally {
        close();
      }
    },
    async versions(tenant) {
      if (!existsSync(join(dir, "ai-gateway.sqlite"))) return new Map();
      const { store, close } = await open();
      try {
        return await versionsOf(store, tenant);
      } finally {
        close();
      }
    },
  };
}

/** The Qdrant double the gateway talks to; its backup is a deep copy of its collections. */
export function qdrantDoubleHandle(double: QdrantDouble): StoreHandle {
  let saved: typeof double.collections | undefined;
  const store = new QdrantStore({ url: double.url });
  return {
    env: { QDRANT_URL: double.url },
    backup() {
      saved = structuredClone(double.collections);
    },
    restore() {
      if (!saved) throw new Error("no backup");
      double.collections.clear();
      for (const [name, collection] of structuredClone(saved))
        double.collections.set(name, collection);
    },
    edit: (edit) => edit(store),
    versions: (tenant) => versionsOf(store, tenant),
  };
}
