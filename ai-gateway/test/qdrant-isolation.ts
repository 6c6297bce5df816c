import { createHash, randomUUID } from "node:crypto";
import { QdrantClient } from "@qdrant/js-client-rest";
import { COLLECTIONS } from "../src/vectors/index.ts";
import { userPoint } from "./store-contract.ts";

/**
 * What lets Qdrant tests share a Qdrant that holds other data (a developer's own, or another
 * run's): each test writes only to collections under its own random prefix, drops them at the
 * end, and checks that the unprefixed collections are exactly as they were.
 */

/** A fresh collection prefix, e.g. `test-3f9a1c2e-`. */
export function randomPrefix(): string {
  return `test-${randomUUID().slice(0, 8)}-`;
}

/** A client for test set-up and checks (never the adapter under test). */
export function testClient(url: string, apiKey?: string): QdrantClient {
  return new QdrantClient({ url, ...(apiKey ? { apiKey } : {}), checkCompatibility: false });
}

/** Drops every collection whose name starts with one of `prefixes`. */
export async function dropPrefixed(
  client: QdrantClient,
  prefixes: Iterable<string>,
): Promise<void> {
  const wanted = [...prefixes];
  const { collections } = await client.getCollections();
  for (const { name } of collections) {
    if (wanted.some((prefix) => name.startsWith(prefix))) await client.deleteCollection(name);
  }
}

/**
 * The unprefixed gateway collections as they are now: absent, or their point count and a hash of
 * (up to) their first 1,000 points' ids and payloads.
 */
export async function fingerprintUnprefixed(client: QdrantClient): Promise<string> {
  const parts: string[] = [];
  for (const name of COLLECTIONS) {
    const { exists } = await client.collectionExists(name);
    if (!exists) {
      parts.push(`${name}: absent`);
      continue;
    }
    const { count } = await client.count(name, { exact: true });
    const { points } = await client.scroll(name, {
      limit: 1_000,
      with_payload: true,
      with_vector: false,
    });
    const rows = points.map((p) => JSON.stringify([p.id, p.payload])).sort();
    const hash = createHash("sha256").update(rows.join("\n")).digest("hex").slice(0, 16);
    parts.push(`${name}: ${count} points, ${hash}`);
  }
  return parts.join("; ");
}

/**
 * Creates an unprefixed `users` collection holding `count` points of tenant-a that an earlier
 * gateway wrote: the same point ids the store contract uses, at version 100, so that a test
 * writing into `users` would see its writes dropped as stale and its counts off.
 */
export async function seedForeignUsers(client: QdrantClient, count: number): Promise<void> {
  await client.createCollection("users", { vectors: { size: 384, distance: "Cosine" } });
  const points = Array.from({ length: count }, (_, i) => {
    const point = userPoint("tenant-a", i + 1, `Foreign User${i}`, 100);
    const payload = { tenantId: point.tenantId, entityId: point.entityId, version: 100 };
    return {
      id: point.id,
      vector: Array.from(point.vector),
      payload: { ...payload, data: point.data },
    };
  });
  await client.upsert("users", { wait: true, points });
}
