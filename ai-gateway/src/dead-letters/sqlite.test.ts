import { expect, test } from "bun:test";
import { openDatabase } from "../db.ts";
import type { DeadLetter } from "./index.ts";
import { SqliteDeadLetters } from "./sqlite.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const letters = (from: number, count: number): DeadLetter[] =>
  Array.from({ length: count }, (_, i) => ({
    source: "http",
    code: "invalid_data",
    reason: `bad ${from + i}`,
    value: `{"n":${from + i}}`,
    headers: [],
  }));

test("keeps only the newest DLQ_MAX_ROWS dead letters, pruning as it writes", async () => {
  const sink = new SqliteDeadLetters(openDatabase(":memory:"), { maxRows: 50, maxAgeDays: 30 });
  for (let n = 0; n < 120; n += 40) await sink.write(letters(n, 40));
  const kept = sink.list(1000);
  expect(kept).toHaveLength(50);
  expect(kept[0]?.reason).toBe("bad 119");
  expect(kept.at(-1)?.reason).toBe("bad 70");
});

test("drops dead letters older than DLQ_MAX_AGE_DAYS, and old rows left from an earlier run at start", async () => {
  const db = openDatabase(":memory:");
  const sink = new SqliteDeadLetters(db, { maxRows: 1000, maxAgeDays: 7 });
  await sink.write(letters(0, 3));
  sink.prune(Date.now() + 6 * DAY_MS);
  expect(sink.list()).toHaveLength(3);
  sink.prune(Date.now() + 8 * DAY_MS);
  expect(sink.list()).toHaveLength(0);

  // Rows left from an earlier run are pruned when the gateway starts.
  db.run(
    "INSERT INTO dead_letters (received_at, source, code, reason, headers) VALUES (?, 'http', 'x', 'old', '[]')",
    [new Date(Date.now() - 8 * DAY_MS).toISOString()],
  );
  new SqliteDeadLetters(db, { maxRows: 1000, maxAgeDays: 7 });
  expect(sink.list()).toHaveLength(0);
});
