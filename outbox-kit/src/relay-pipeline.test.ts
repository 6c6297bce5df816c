import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, makeEvent } from "@event-mesh/contracts";
import { createLogger, waitFor } from "@event-mesh/service-kit";
import { CommitSignal } from "./commit-signal.ts";
import type { Outbox } from "./outbox.ts";
import { Relay } from "./relay.ts";
import { type EventSink, eventOf, type StoredEvent } from "./sink/index.ts";
import { migrateSqlite, SQLITE_OUTBOX_MIGRATIONS } from "./sqlite/migrate.ts";
import { appendSqlite, sqliteOutbox } from "./sqlite/outbox.ts";

// The relay hands the next batch to the sink while the previous one is unacknowledged. These
// tests hold it to the guarantees of one-at-a-time sending: order, nothing lost, an
// acknowledged batch never sent again.

/** A sink whose sends the test settles by hand, recording every call. */
function manualSink(keepsSendOrder = true) {
  const calls: { ids: string[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  const sink: EventSink = {
    name: "manual",
    keepsSendOrder,
    send(events: readonly StoredEvent[]) {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      calls.push({
        ids: events.map((e) => {
          const { data } = eventOf(e);
          return "id" in data ? String(data.id) : "";
        }),
        resolve,
        reject,
      });
      return promise;
    },
    probe: async () => {},
    close: async () => {},
  };
  return { sink, calls };
}

let dir: string;
let db: Database;
let outbox: Outbox;
let relay: Relay | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "relay-pipeline-"));
  db = new Database(join(dir, "producer.sqlite"), { strict: true });
  migrateSqlite(db, [SQLITE_OUTBOX_MIGRATIONS]);
  const commits = new CommitSignal();
  outbox = sqliteOutbox(db, commits, async (work) => {
    db.transaction(work)();
    commits.notify();
  });
});

afterEach(async () => {
  await relay?.stop(0);
  relay = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `count` user.created events in the outbox, one per user id u0, u1, …; returns the ids. */
function fill(count: number): string[] {
  const ids = Array.from({ length: count }, (_, i) => `u${i}`);
  for (const id of ids) {
    const event = makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id, email: `${id}@a.dev`, name: `User ${id}`, tenantId: "tenant-a" },
    }) as AnyMeshEvent;
    db.transaction(() => appendSqlite(db, event))();
  }
  return ids;
}

function start(sink: EventSink, batchMax: number): Relay {
  relay = new Relay({
    outbox,
    sink,
    logger: createLogger({ name: "relay-pipeline-test", level: "silent" }),
    batchMax,
    backoff: { baseMs: 1, maxMs: 5 },
  });
  relay.start();
  return relay;
}

test("hands the next batch to the sink before the previous one is acknowledged, in order", async () => {
  const ids = fill(9);
  const { sink, calls } = manualSink();
  start(sink, 3);
  await waitFor("two batches with the sink", () => calls.length === 2);
  expect(calls.map((c) => c.ids)).toEqual([ids.slice(0, 3), ids.slice(3, 6)]);
  calls[0]?.resolve();
  await waitFor("the third batch", () => calls.length === 3);
  calls[1]?.resolve();
  calls[2]?.resolve();
  await waitFor("an empty outbox", async () => (await outbox.depth()).count === 0);
  expect(calls.flatMap((c) => c.ids)).toEqual(ids);
});

test("a failed batch is sent again, then the one behind it, even if that one was acknowledged", async () => {
  const ids = fill(6);
  const { sink, calls } = manualSink();
  start(sink, 3);
  await waitFor("two batches with the sink", () => calls.length === 2);
  calls[1]?.resolve(); // the second is acknowledged first (it was written behind the first)
  calls[0]?.reject(new Error("broker gone"));
  await waitFor("the retry", () => calls.length === 4);
  expect(calls[2]?.ids).toEqual(ids.slice(0, 3));
  expect(calls[3]?.ids).toEqual(ids.slice(3, 6));
  calls[2]?.resolve();
  calls[3]?.resolve();
  await waitFor("an empty outbox", async () => (await outbox.depth()).count === 0);
  expect(calls.length).toBe(4);
});

test("an acknowledged batch whose removal failed is not sent again", async () => {
  const ids = fill(6);
  const { sink, calls } = manualSink();
  const faults = { remove: 1 };
  const remove = outbox.remove.bind(outbox);
  outbox.remove = async (rows) => {
    if (faults.remove > 0) {
      faults.remove--;
      throw new Error("disk full");
    }
    await remove(rows);
  };
  start(sink, 3);
  await waitFor("two batches with the sink", () => calls.length === 2);
  calls[0]?.resolve();
  await waitFor("the failed removal", () => faults.remove === 0);
  calls[1]?.resolve();
  await waitFor("an empty outbox", async () => (await outbox.depth()).count === 0);
  expect(calls.flatMap((c) => c.ids)).toEqual(ids);
});

test("waits for each acknowledgement with a sink that does not keep send order (HTTP)", async () => {
  const ids = fill(6);
  const { sink, calls } = manualSink(false);
  start(sink, 3);
  await waitFor("the first batch", () => calls.length === 1);
  await Bun.sleep(50);
  expect(calls.length).toBe(1);
  calls[0]?.resolve();
  await waitFor("the second batch", () => calls.length === 2);
  calls[1]?.resolve();
  await waitFor("an empty outbox", async () => (await outbox.depth()).count === 0);
  expect(calls.flatMap((c) => c.ids)).toEqual(ids);
});
