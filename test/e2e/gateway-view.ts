/**
 * What the gateway stored, read from its sqlite-vec file (read-only, beside the running
 * gateway): each user point's version and whether it is deleted. Drills compare it with the
 * source, and sample it while they run to see that no stored version ever went down.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { pointId } from "../../ai-gateway/src/vectors/point-id.ts";
import { listUsers } from "./api.ts";
import { eventually } from "./stack.ts";

/** A user point as stored: its version, and a tombstone flag. */
export interface StoredPoint {
  version: number;
  deleted: boolean;
}

/** Every user point of `tenant` in the gateway whose DATA_DIR is `gatewayDir`, by point id. */
export function storedUsers(gatewayDir: string, tenant: string): Map<string, StoredPoint> {
  const db = new Database(join(gatewayDir, "ai-gateway.sqlite"), { readonly: true });
  try {
    const exists = db
      .query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'points_users'")
      .get();
    if (!exists) return new Map();
    const rows = db
      .query<{ point_id: string; version: number; deleted: number }, [string]>(
        "SELECT point_id, version, deleted FROM points_users WHERE tenant_id = ?",
      )
      .all(tenant);
    return new Map(
      rows.map((row) => [row.point_id, { version: row.version, deleted: !!row.deleted }]),
    );
  } finally {
    db.close();
  }
}

/** The point id of a user, as the gateway computes it. */
export const userPointId = (tenant: string, id: string) => pointId("users", tenant, id);

/**
 * Samples the stored versions every `everyMs` until stopped; `regressions` lists every point
 * whose stored version went down between two samples (it must stay empty).
 */
export function watchVersions(gatewayDir: string, tenant: string, everyMs = 200) {
  const seen = new Map<string, number>();
  const regressions: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const [id, point] of storedUsers(gatewayDir, tenant)) {
          const before = seen.get(id) ?? 0;
          if (point.version < before) regressions.push(`${id}: ${before} → ${point.version}`);
          seen.set(id, Math.max(before, point.version));
        }
      } catch {
        // The file may not exist yet, or be busy for a moment: the next sample reads it.
      }
      await Bun.sleep(everyMs);
    }
  })();
  return {
    regressions,
    samples: () => seen.size,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The gateway matches the source: every user at its latest version, no other live point. */
export async function gatewayMatchesSource(
  gatewayDir: string,
  usersUrl: string,
  tenant: string,
  explain: () => string,
): Promise<number> {
  const source = await listUsers(usersUrl, tenant);
  const expected = new Map(source.map((user) => [userPointId(tenant, user.id), user.version]));
  await eventually(
    "the gateway to match the source",
    async () => {
      const stored = storedUsers(gatewayDir, tenant);
      for (const [id, version] of expected) {
        const point = stored.get(id);
        if (!point || point.deleted || point.version !== version) return undefined;
      }
      for (const [id, point] of stored) if (!point.deleted && !expected.has(id)) return undefined;
      return true;
    },
    120_000,
    explain,
  );
  return source.length;
}
