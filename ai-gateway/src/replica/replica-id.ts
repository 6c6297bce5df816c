import type { Database } from "bun:sqlite";

/**
 * This replica's id, kept in its SQLite file (`gateway_meta`), made at the first start. It lives
 * beside the vectors on purpose: a wiped DATA_DIR gets a new id, hence a new consumer group that
 * reads the topics from the start, which is exactly what an empty store needs; gateways that
 * share one file share one id. `:memory:` gets a new id at every start for the same reason.
 */
export function replicaId(db: Database): string {
  db.run(`CREATE TABLE IF NOT EXISTS gateway_meta (
    key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`);
  // INSERT OR IGNORE, then read: two gateways starting on one file agree on the first id.
  db.query("INSERT OR IGNORE INTO gateway_meta (key, value) VALUES ('replica_id', ?)").run(
    crypto.randomUUID().slice(0, 12),
  );
  const row = db
    .query<{ value: string }, []>("SELECT value FROM gateway_meta WHERE key = 'replica_id'")
    .get();
  if (!row) throw new Error("gateway_meta lost its replica_id");
  return row.value;
}

/** The consumer groups of one gateway. */
export interface GatewayGroups {
  /** Group of the event topics (users, tasks…). */
  events: string;
  /** Group of `billing.events`, which every replica reads whole to keep global usage totals. */
  usage: string;
}

/**
 * A store shared by every replica (Qdrant) → the replicas share `base` and split the partitions.
 * A store of the replica's own (sqlite-vec) → a group per replica, so each one reads every
 * partition and holds every entity: sharing a group would leave each with part of the data.
 * Usage totals live in each replica's SQLite file, so each reads the usage topic in its own group.
 */
export function gatewayGroups(base: string, replica: string, sharedStore: boolean): GatewayGroups {
  return {
    events: sharedStore ? base : `${base}.${replica}`,
    usage: `${base}.usage.${replica}`,
  };
}
