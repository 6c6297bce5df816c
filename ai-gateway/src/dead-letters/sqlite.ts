import type { Database } from "bun:sqlite";
import { addMissingColumns } from "../db.ts";
import type { DeadLetter, DeadLetterSink } from "./index.ts";

/** A stored dead letter, as listed back. */
export interface StoredDeadLetter {
  id: number;
  receivedAt: string;
  source: string;
  code: string;
  reason: string;
  topic: string | null;
  value: string | null;
}

/** How many dead letters the table keeps (DLQ_MAX_ROWS, DLQ_MAX_AGE_DAYS). */
export interface DeadLetterRetention {
  maxRows: number;
  maxAgeDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Dead letters in the gateway's SQLite file (HTTP ingest, embedded mode). The table is bounded:
 * every write also drops what is past the row count or the age, so a flood of bad events cannot
 * fill the disk. Both deletes walk an index from its low end, so pruning costs what it removes.
 */
export class SqliteDeadLetters implements DeadLetterSink {
  readonly #retention: DeadLetterRetention;

  constructor(
    private readonly db: Database,
    retention: DeadLetterRetention = { maxRows: 100_000, maxAgeDays: 30 },
  ) {
    this.#retention = retention;
    db.run(`CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, source TEXT NOT NULL,
      code TEXT NOT NULL, reason TEXT NOT NULL, topic TEXT, partition INTEGER, offset TEXT,
      key BLOB, value BLOB, headers TEXT NOT NULL)`);
    db.run("CREATE INDEX IF NOT EXISTS dead_letters_received_at ON dead_letters (received_at)");
    // Whose event a letter holds, when it says (see ownerOf), for erasure. Files of older
    // versions get the columns here.
    addMissingColumns(db, "dead_letters", { tenant_id: "TEXT", entity_id: "TEXT" });
    db.run(`CREATE INDEX IF NOT EXISTS dead_letters_owner
      ON dead_letters (tenant_id, entity_id) WHERE tenant_id IS NOT NULL`);
    this.prune();
  }

  /** Drops dead letters beyond the newest `maxRows` and those older than `maxAgeDays`. */
  prune(now = Date.now()): void {
    const cutoff = new Date(now - this.#retention.maxAgeDays * DAY_MS).toISOString();
    this.db.transaction(() => {
      // Ids only grow (AUTOINCREMENT), so the newest maxRows are the top of the id range.
      this.db
        .query("DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - ?")
        .run(this.#retention.maxRows);
      this.db.query("DELETE FROM dead_letters WHERE received_at < ?").run(cutoff);
    })();
  }

  async write(letters: readonly DeadLetter[]): Promise<void> {
    const insert = this.db.query(
      `INSERT INTO dead_letters (received_at, source, code, reason, topic, partition, offset, key,
       value, headers, tenant_id, entity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const letter of letters) {
        const headers = letter.headers.map(([name, value]) => [
          name,
          typeof value === "string" ? value : Buffer.from(value).toString("base64"),
        ]);
        insert.run(
          now,
          letter.source,
          letter.code,
          letter.reason,
          letter.topic ?? null,
          letter.partition ?? null,
          letter.offset === undefined ? null : String(letter.offset),
          letter.key ?? null,
          letter.value,
          JSON.stringify(headers),
          ...ownerOf(letter),
        );
      }
      this.prune();
    })();
  }

  /** Removes the letters of a tenant, or of one of its entities; answers how many. */
  erase(tenantId: string, entityId?: string): number {
    if (entityId === undefined)
      return this.db.query("DELETE FROM dead_letters WHERE tenant_id = ?").run(tenantId).changes;
    return this.db
      .query("DELETE FROM dead_letters WHERE tenant_id = ? AND entity_id = ?")
      .run(tenantId, entityId).changes;
  }

  /** The latest dead letters, newest first. */
  list(limit = 100): StoredDeadLetter[] {
    return this.db
      .query<StoredDeadLetter, [number]>(
        `SELECT id, received_at AS receivedAt, source, code, reason, topic, CAST(value AS TEXT) AS value
         FROM dead_letters ORDER BY id DESC LIMIT ?`,
      )
      .all(limit);
  }
}

const text = (value: Uint8Array | string | null | undefined) =>
  value == null ? undefined : typeof value === "string" ? value : Buffer.from(value).toString();

/**
 * The tenant and entity a dead letter is about, from what it carries: the Kafka key
 * `<tenant>/<entity>`, the `ce_tenantid` header, or the event JSON (HTTP). A letter too broken
 * to say stays unowned; docs/operations/erasure.md says how those are found.
 */
export function ownerOf(letter: DeadLetter): [string | null, string | null] {
  const key = text(letter.key);
  const slash = key?.indexOf("/") ?? -1;
  if (key && slash > 0) return [key.slice(0, slash), key.slice(slash + 1) || null];
  const header = letter.headers.find(([name]) => name === "ce_tenantid");
  let tenant = header ? (text(header[1]) ?? null) : null;
  let entity: string | null = null;
  try {
    const json: unknown = JSON.parse(text(letter.value) ?? "null");
    const event = Array.isArray(json) ? json[0] : json;
    if (event && typeof event === "object") {
      const { tenantid, tenantId, data } = event as Record<string, unknown>;
      const body = data && typeof data === "object" ? (data as Record<string, unknown>) : event;
      const owner = tenantid ?? tenantId ?? (body as Record<string, unknown>).tenantId;
      if (typeof owner === "string") tenant ??= owner;
      const id = (body as Record<string, unknown>).id;
      if (typeof id === "string" || typeof id === "number") entity = String(id);
    }
  } catch {
    // Not JSON: the key and headers are all a letter says.
  }
  return [tenant, entity];
}
