import type { Database } from "bun:sqlite";
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
      `INSERT INTO dead_letters (received_at, source, code, reason, topic, partition, offset, key, value, headers)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        );
      }
      this.prune();
    })();
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
