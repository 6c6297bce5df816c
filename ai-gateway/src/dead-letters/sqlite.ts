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

/** Dead letters in the gateway's SQLite file (HTTP ingest, embedded mode). */
export class SqliteDeadLetters implements DeadLetterSink {
  constructor(private readonly db: Database) {
    db.run(`CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, source TEXT NOT NULL,
      code TEXT NOT NULL, reason TEXT NOT NULL, topic TEXT, partition INTEGER, offset TEXT,
      key BLOB, value BLOB, headers TEXT NOT NULL)`);
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
