import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyMeshEvent, decodeHttp } from "@event-mesh/contracts";
import {
  type AppError,
  createLogger,
  invalidInput,
  PROBLEM_JSON,
  waitFor as poll,
  unavailable,
} from "@event-mesh/service-kit";
import { CommitSignal } from "./commit-signal.ts";
import type { Outbox } from "./outbox.ts";
import { Relay } from "./relay.ts";
import { HttpSink } from "./sink/http.ts";
import { migrateSqlite, SQLITE_OUTBOX_MIGRATIONS } from "./sqlite/migrate.ts";
import { appendSqlite, sqliteOutbox } from "./sqlite/outbox.ts";

/** Waits (polling) until `condition` holds; fails the test with `what` after 10_000 ms. */
const waitFor = (what: string, condition: () => boolean | Promise<boolean>) =>
  poll(what, condition, 10_000, 5);

/** The gateway's error answer: service-kit's problem document. */
const problem = (error: AppError) =>
  new Response(JSON.stringify(error.toProblem("/events")), {
    status: error.status,
    headers: { "content-type": PROBLEM_JSON },
  });

/** A stand-in for the gateway's ingest: records accepted batches; can be switched to fail. */
function fakeGateway(port = 0) {
  const state = {
    up: true,
    batches: [] as AnyMeshEvent[][],
    refused: 0,
    authorizations: new Set<string | null>(),
  };
  const server = Bun.serve({
    port,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/healthz") return Response.json({ status: "ok" });
      if (!state.up) {
        state.refused++;
        return problem(unavailable("down"));
      }
      state.authorizations.add(request.headers.get("authorization"));
      const decoded = decodeHttp({ headers: request.headers, body: await request.text() });
      if (!decoded.ok) return problem(invalidInput([], decoded.error.error.message));
      const events: AnyMeshEvent[] = [];
      for (const result of decoded.results) {
        if (!result.ok) return problem(invalidInput([], result.error.message));
        events.push(result.event);
      }
      state.batches.push(events);
      return new Response(null, { status: 202 });
    },
  });
  return { state, server, url: `http://127.0.0.1:${server.port}` };
}

const logger = createLogger({ name: "relay-test", level: "silent" });
let dir: string;
let db: Database;
let commits: CommitSignal;
let store: { outbox: Outbox };
let gateway: ReturnType<typeof fakeGateway>;
let relays: Relay[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "relay-"));
  // A producer of its own: one SQLite file with the outbox table, written in transactions.
  db = new Database(join(dir, "producer.sqlite"), { strict: true });
  db.run("PRAGMA journal_mode = WAL");
  migrateSqlite(db, [SQLITE_OUTBOX_MIGRATIONS]);
  commits = new CommitSignal();
  store = {
    outbox: sqliteOutbox(db, commits, async (work) => {
      db.transaction(work)();
      commits.notify();
    }),
  };
  gateway = fakeGateway();
  relays = [];
});

afterEach(async () => {
  for (const relay of relays) await relay.stop(0);
  gateway.server.stop(true);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function relay(batchMax = 500, outbox: Outbox = store.outbox, lingerMs = 0) {
  const sent: number[] = [];
  const failures = { count: 0 };
  const instance = new Relay({
    outbox,
    sink: new HttpSink({ gatewayUrl: gateway.url, token: "ingest-secret" }),
    logger,
    batchMax,
    lingerMs,
    backoff: { baseMs: 5, maxMs: 40 },
    onSent: (count) => sent.push(count),
    onError: () => failures.count++,
  });
  relays.push(instance);
  return { relay: instance, sent, failures };
}

/** Writes `user.<type>` events as a producer would, one committed transaction each. */
function write(type: "user.created" | "user.updated", id: string, version: number, email: string) {
  const event: AnyMeshEvent = {
    id: Bun.randomUUIDv7(),
    type,
    source: "urn:test",
    time: new Date().toISOString(),
    tenantId: "tenant-a",
    version,
    data: { id, email, name: `User ${email}`, tenantId: "tenant-a" },
  };
  db.transaction(() => appendSqlite(db, event))();
  commits.notify();
}

async function createUsers(count: number, prefix = "u"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = Bun.randomUUIDv7();
    write("user.created", id, 1, `${prefix}${i}@a.dev`);
    ids.push(id);
  }
  return ids;
}

const received = () => gateway.state.batches.flat();
const receivedIds = () =>
  received().map((event) => String("id" in event.data ? event.data.id : ""));

test("sends waiting rows in order, in batches of at most RELAY_BATCH_MAX", async () => {
  const ids = await createUsers(7);
  const { relay: r, sent } = relay(3);
  r.start();
  // The gateway records a batch before it answers; the relay counts it once the answer is back.
  await waitFor("7 events", () => received().length === 7 && sent.length === 3);
  expect(gateway.state.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  expect(receivedIds()).toEqual(ids);
  expect(received().every((event) => event.type === "user.created")).toBe(true);
  expect(sent).toEqual([3, 3, 1]);
  expect((await store.outbox.depth()).count).toBe(0);
  expect([...gateway.state.authorizations]).toEqual(["Bearer ingest-secret"]);
});

test("wakes as soon as a change is committed", async () => {
  const { relay: r } = relay();
  r.start();
  const [id] = await createUsers(1);
  await waitFor("the event", () => received().length === 1);
  expect(receivedIds()).toEqual([id ?? ""]);
  write("user.updated", id ?? "", 2, "renamed@a.dev");
  await waitFor("the update", () => received().length === 2);
  expect(received().map((event) => [event.type, event.version])).toEqual([
    ["user.created", 1],
    ["user.updated", 2],
  ]);
});

test("lingering: an idle relay sends a commit at once; commits that follow a send closely go out together", async () => {
  // A linger far longer than the test's wait: a first send held back by it would time out.
  const { relay: r } = relay(500, store.outbox, 1_500);
  r.start();
  const [first] = await createUsers(1, "first");
  await waitFor("the first event", () => received().length === 1);
  // Ten more commits, one every 10 ms, right after that send: without the linger each would
  // wake the relay and go out alone.
  const more: string[] = [];
  for (let i = 0; i < 10; i++) {
    more.push(...(await createUsers(1, `more${i}`)));
    await Bun.sleep(10);
  }
  await waitFor("all 11 events", () => received().length === 11);
  expect(receivedIds()).toEqual([first ?? "", ...more]);
  expect(gateway.state.batches.length).toBeLessThanOrEqual(3);
});

test("keeps retrying while the gateway is down, then delivers everything once, in order", async () => {
  gateway.state.up = false;
  const { relay: r } = relay(4);
  r.start();
  const ids = await createUsers(10);
  await waitFor("a few refused attempts", () => gateway.state.refused >= 3);
  expect(received()).toEqual([]);
  expect((await store.outbox.depth()).count).toBe(10);

  gateway.state.up = true;
  await waitFor(
    "all 10 events",
    async () => received().length >= 10 && (await store.outbox.depth()).count === 0,
  );
  expect(receivedIds()).toEqual(ids);
});

test("delivers to a gateway that was not listening at first (connection refused)", async () => {
  const port = gateway.server.port;
  gateway.server.stop(true);
  const { relay: r, failures } = relay();
  r.start();
  const ids = await createUsers(3);
  await waitFor("failed attempts", () => failures.count >= 2);
  expect((await store.outbox.depth()).count).toBe(3);
  gateway = fakeGateway(port);
  await waitFor("the 3 events", async () => (await store.outbox.depth()).count === 0);
  expect(receivedIds()).toEqual(ids);
});

test("stop flushes what is left, and a stop while down keeps the rows for the next start", async () => {
  gateway.state.up = false;
  const first = relay();
  first.relay.start();
  const ids = await createUsers(5);
  await waitFor("a refused attempt", () => gateway.state.refused >= 1);
  expect(await first.relay.stop(50)).toBe(false);
  expect((await store.outbox.depth()).count).toBe(5);
  // A send the stopped relay had on the wire still lands: let it be refused while the gateway is
  // down (a quiet 100 ms), or it would be accepted below and its rows sent again (at least once).
  await waitFor("the stopped relay's last attempt to be answered", async () => {
    const refused = gateway.state.refused;
    await Bun.sleep(100);
    return gateway.state.refused === refused;
  });

  gateway.state.up = true;
  const second = relay();
  second.relay.start();
  expect(await second.relay.stop(10_000)).toBe(true);
  expect(receivedIds()).toEqual(ids);
});

/** The store's outbox whose `peek` and `remove` fail while their counters are above zero. */
function faultyOutbox(faults: { peek: number; remove: number }): Outbox {
  const real = store.outbox;
  const full = () => Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
  return {
    ...real,
    version: () => real.version(),
    changed: (since, signal) => real.changed(since, signal),
    depth: () => real.depth(),
    async peek(limit) {
      if (faults.peek > 0 && faults.peek--) throw full();
      return real.peek(limit);
    },
    async remove(rows) {
      if (faults.remove > 0 && faults.remove--) throw full();
      return real.remove(rows);
    },
  };
}

test("survives failing outbox reads and removals (a full disk), then delivers every event once, in order", async () => {
  const faults = { peek: 3, remove: 0 };
  const { relay: r } = relay(4, faultyOutbox(faults));
  const first = await createUsers(6, "a");
  r.start();
  await waitFor("the failing reads to pass", () => faults.peek === 0);
  await waitFor("the first 6 events", () => received().length === 6);

  // The sink takes the next batch, but removing it fails: it must be removed, not sent again.
  faults.remove = 3;
  const second = await createUsers(5, "b");
  await waitFor("the failing removals to pass", () => faults.remove === 0);
  await waitFor("an empty outbox", async () => (await store.outbox.depth()).count === 0);
  expect(receivedIds()).toEqual([...first, ...second]);
  expect(r.status().failing).toBe(false);

  // And a later failure of the reads still leaves the relay running.
  faults.peek = 2;
  const third = await createUsers(2, "c");
  await waitFor("the last 2 events", () => received().length === 13);
  expect(receivedIds()).toEqual([...first, ...second, ...third]);
});

test("reports failing while a step fails, and healthy again after", async () => {
  const faults = { peek: 1_000_000, remove: 0 };
  const { relay: r } = relay(4, faultyOutbox(faults));
  r.start();
  await waitFor("a failing status", () => r.status().failing);
  expect(r.status().error).toContain("peek");
  faults.peek = 0;
  await createUsers(1);
  await waitFor("the event", () => received().length === 1);
  await waitFor("a healthy status", () => !r.status().failing);
});
