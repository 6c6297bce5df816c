import { Database } from "bun:sqlite";
import { fromStructured } from "@event-mesh/contracts";

/** Test helper: the events waiting in a producer's SQLite outbox, decoded by the contracts. */
export function sqliteOutboxEvents(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .query<{ event: string }, []>("SELECT event FROM outbox ORDER BY seq")
      .all()
      .map((row) => {
        const decoded = fromStructured(JSON.parse(row.event));
        if (!decoded.ok) throw new Error(decoded.error.message);
        return decoded.event;
      });
  } finally {
    db.close();
  }
}
