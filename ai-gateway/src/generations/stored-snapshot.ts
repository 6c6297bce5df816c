import type { Database } from "bun:sqlite";
import {
  type AnyMeshEvent,
  buildEvent,
  EVENT_REGISTRY,
  type Registry,
} from "@event-mesh/contracts";
import { readPayload } from "../vectors/sqlite-vec-payload.ts";
import type { SnapshotSource } from "./builder.ts";
import { physical } from "./table.ts";

/**
 * Embedded mode's source: the current generation's own rows. sqlite-vec stores each entity's
 * latest event data beside its vector, so every live entity can be re-embedded from it as an
 * upsert event of its collection — the HTTP ingest has no log to replay, and this needs no
 * producer. Tombstones are skipped: the new generation never had those entities.
 */
export function storedSnapshot(options: {
  db: Database;
  /** The generation read (the current one when the build starts). */
  generation: number;
  collections: readonly string[];
  registry?: Registry | undefined;
  batchSize?: number;
}): SnapshotSource {
  const registry = options.registry ?? EVENT_REGISTRY;
  const batchSize = options.batchSize ?? 500;
  const table = (collection: string) => `points_${physical(collection, options.generation)}`;
  /** The event type that upserts into `collection` (`user.created` for `users`). */
  const upsertType = (collection: string) =>
    Object.entries(registry).find(
      ([, spec]) => spec.gateway.action === "upsert" && spec.gateway.collection === collection,
    )?.[0];
  return {
    total: async () => {
      let total = 0;
      for (const collection of options.collections) {
        const row = options.db
          .query<{ n: number }, []>(
            `SELECT count(*) AS n FROM ${table(collection)} WHERE deleted = 0`,
          )
          .get();
        total += row?.n ?? 0;
      }
      return total;
    },
    async *batches(signal) {
      for (const collection of options.collections) {
        const type = upsertType(collection);
        if (!type) continue;
        const page = options.db.query<
          { rowid: number; version: number; payload: string | null },
          [number, number]
        >(
          `SELECT rowid, version, payload FROM ${table(collection)}
           WHERE rowid > ? AND deleted = 0 ORDER BY rowid LIMIT ?`,
        );
        let after = 0;
        for (;;) {
          if (signal?.aborted) return;
          const rows = page.all(after, batchSize);
          if (rows.length === 0) break;
          after = rows[rows.length - 1]?.rowid ?? after;
          const events: AnyMeshEvent[] = [];
          for (const row of rows) {
            const payload = readPayload(row.payload);
            if (!payload) continue;
            const attributes = {
              specversion: "1.0",
              id: crypto.randomUUID(),
              source: "urn:ai-gateway:reembed",
              type,
              time: new Date().toISOString(),
              tenantid: payload.tenantId,
              entityversion: row.version,
            };
            const result = buildEvent(attributes, payload.data, registry);
            if (result.ok) events.push(result.event);
          }
          yield events;
        }
      }
    },
  };
}
