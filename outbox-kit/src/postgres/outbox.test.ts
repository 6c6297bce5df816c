import { afterAll, beforeAll, expect, test } from "bun:test";
import type { AnyMeshEvent } from "@event-mesh/contracts";
import { createLogger, waitFor as poll } from "@event-mesh/service-kit";
import { SQL } from "bun";
import { describePostgres, freshDatabase } from "../../../test/pg-server.ts";
import { Relay } from "../relay.ts";
import type { EventSink, StoredEvent } from "../sink/index.ts";
import { appendPostgres, OUTBOX_SHARDS } from "./append.ts";
import { migrate, OUTBOX_MIGRATIONS } from "./migrate.ts";
import { type PostgresOutbox, postgresOutbox } from "./outbox.ts";

/** Waits (polling) until `condition` holds; fails the test with `what` after 20_000 ms. */
const waitFor = (what: string, condition: () => boolean | Promise<boolean>) =>
  poll(what, condition, 20_000, 20);

const logger = createLogger({ name: "pg-outbox-test", level: "silent" });

/** A sink that records what it got, per relay; `hold` makes it never answer (a hung send). */
function recordingSink(
  name: string,
  received: Array<{ relay: string; key: string; version: number }>,
) {
  const state = { hold: false, calls: 0 };
  const sink: EventSink = {
    name,
    async send(events: readonly StoredEvent[]) {
      state.calls++;
      if (state.hold) return new Promise<void>(() => {});
      for (const stored of events) {
        const ce = JSON.parse(stored) as { entityversion: number; data: { id: string } };
        received.push({ relay: name, key: ce.data.id, version: Number(ce.entityversion) });
      }
    },
    probe: async () => {},
    close: async () => {},
  };
  return { sink, state };
}

function event(id: string, version: number): AnyMeshEvent {
  return {
    id: Bun.randomUUIDv7(),
    type: version === 1 ? "user.created" : "user.updated",
    source: "urn:test",
    time: new Date().toISOString(),
    tenantId: "tenant-a",
    version,
    data: { id, email: `${id}@a.dev`, name: "N", tenantId: "tenant-a" },
  } as AnyMeshEvent;
}

/** Asserts each key's versions arrive in increasing order (repeats allowed only by resending). */
function inOrderPerKey(events: Array<{ key: string; version: number }>) {
  const last = new Map<string, number>();
  for (const { key, version } of events) {
    expect(version).toBeGreaterThanOrEqual(last.get(key) ?? 0);
    last.set(key, version);
  }
}

await describePostgres("Postgres outbox with N relays", (serverUrl) => {
  let db: { url: string; drop: () => Promise<void> };
  let sql: SQL;
  const opened: PostgresOutbox[] = [];
  const relays: Relay[] = [];

  beforeAll(async () => {
    db = await freshDatabase(serverUrl, "outbox");
    sql = new SQL({ url: db.url, max: 8 });
    await migrate(sql, [OUTBOX_MIGRATIONS]);
  });
  afterAll(async () => {
    for (const relay of relays) await relay.stop(0);
    for (const outbox of opened) await outbox.close();
    await sql.close();
    await db.drop();
  });

  const open = () => {
    const outbox = postgresOutbox({ sql, url: db.url, rebalanceMs: 100 });
    opened.push(outbox);
    return outbox;
  };
  const relay = (outbox: PostgresOutbox, sink: EventSink) => {
    const r = new Relay({ outbox, sink, logger, batchMax: 7, backoff: { baseMs: 5, maxMs: 50 } });
    relays.push(r);
    r.start();
    return r;
  };
  /** `keys` entities with `versions` events each, interleaved, one transaction per event. */
  const write = async (prefix: string, keys: number, versions: number) => {
    for (let v = 1; v <= versions; v++) {
      await Promise.all(
        Array.from({ length: keys }, (_, k) =>
          sql.begin((tx) => appendPostgres(tx, event(`${prefix}-${k}`, v))),
        ),
      );
    }
  };

  test("replicas starting together apply each migration once", async () => {
    const other = await freshDatabase(serverUrl, "migrate");
    const clients = Array.from({ length: 4 }, () => new SQL({ url: other.url, max: 1 }));
    const applied = await Promise.all(clients.map((c) => migrate(c, [OUTBOX_MIGRATIONS])));
    expect(applied.flat()).toEqual([
      "outbox-kit/001_outbox.sql",
      "outbox-kit/002_idempotency.sql",
      "outbox-kit/003_erasures.sql",
    ]);
    for (const client of clients) await client.close();
    await other.drop();
  });

  test("two relays split the shards, deliver every event once, each key in order", async () => {
    const received: Array<{ relay: string; key: string; version: number }> = [];
    const a = open();
    const b = open();
    relay(a, recordingSink("a", received).sink);
    relay(b, recordingSink("b", received).sink);
    await write("split", 40, 5);
    await waitFor("200 events", () => received.length >= 200);
    await waitFor("shares", () => a.shardsHeld() + b.shardsHeld() === OUTBOX_SHARDS);
    expect(received.length).toBe(200);
    expect(new Set(received.map((e) => `${e.key}/${e.version}`)).size).toBe(200);
    expect(a.shardsHeld()).toBe(OUTBOX_SHARDS / 2);
    expect(b.shardsHeld()).toBe(OUTBOX_SHARDS / 2);
    // Both did some of the work; a key may move from one to the other between batches only.
    expect(new Set(received.map((e) => e.relay))).toEqual(new Set(["a", "b"]));
    inOrderPerKey(received);
    for (const r of relays.splice(0)) await r.stop(1000);
    for (const outbox of opened.splice(0)) await outbox.close();
  });

  test("a relay that dies mid-batch: a survivor takes its shards and resends, keys stay in order", async () => {
    const received: Array<{ relay: string; key: string; version: number }> = [];
    const a = open();
    const b = open();
    const dying = recordingSink("dying", received);
    relay(a, dying.sink);
    await waitFor("a to hold every shard", () => a.shardsHeld() === OUTBOX_SHARDS);
    dying.state.hold = true; // Its next batch is taken and never acknowledged.
    await write("die", 20, 4);
    await waitFor("a batch in flight", () => dying.state.calls > 0);
    relay(b, recordingSink("survivor", received).sink);
    // The crash as Postgres sees it: the dead relay's session ends and its locks are released.
    await sql`SELECT pg_terminate_backend(${a.lockPid() ?? 0})`;
    await waitFor(
      "every event through the survivor",
      () => received.filter((e) => e.relay === "survivor").length >= 80,
    );
    const survivor = received.filter((e) => e.relay === "survivor");
    expect(new Set(survivor.map((e) => `${e.key}/${e.version}`)).size).toBe(80);
    inOrderPerKey(survivor);
    expect(await b.depth()).toMatchObject({ count: 0 });
  });
});
