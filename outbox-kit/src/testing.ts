import { Database } from "bun:sqlite";
import { fromStructured } from "@event-mesh/contracts";
import type { Outbox } from "./outbox.ts";

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

/** Test helper: `[type, entity id, version]` of every waiting event of `outbox`, oldest first. */
export async function outboxSummary(outbox: Outbox): Promise<[string, unknown, number][]> {
  return (await outbox.peek(1000)).map((row) => {
    const event = JSON.parse(row.event) as {
      type: string;
      entityversion: number;
      data: { id?: unknown };
    };
    return [event.type, event.data.id, Number(event.entityversion)];
  });
}
