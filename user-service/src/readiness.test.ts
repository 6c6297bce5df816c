import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RelayStatus } from "@event-mesh/outbox-kit";
import { createLogger, createMetrics } from "@event-mesh/service-kit";
import { createApp } from "./app.ts";
import { SqliteUserStore } from "./store/sqlite.ts";

let dir: string;
let store: SqliteUserStore;
let relayStatus: RelayStatus;
/** Why each probe failed: /readyz only says which one failed; the reason is logged. */
let logged: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "readiness-"));
  store = new SqliteUserStore(join(dir, "user-service.sqlite"));
  relayStatus = { failing: false };
  logged = [];
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function app(outboxMaxAgeMs: number) {
  return createApp({
    store,
    sink: { name: "test", probe: async () => {} },
    relay: { status: () => relayStatus },
    outboxMaxAgeMs,
    logger: Object.assign(createLogger({ name: "test", level: "silent" }), {
      warn: (object: Record<string, unknown>) => {
        logged.push(String(object.err));
      },
    }),
    metrics: createMetrics({ namespace: "user_service" }),
    auth: { mode: "dev" },
  });
}

test("readyz answers 503 while the relay is failing, 200 once it recovers", async () => {
  const service = app(60_000);
  expect((await service.request("/readyz")).status).toBe(200);
  relayStatus = { failing: true, error: "peek: database or disk is full" };
  const down = await service.request("/readyz");
  expect(down.status).toBe(503);
  expect(await down.json()).toMatchObject({
    checks: { relay: { status: "failed" } },
    detail: "not ready: relay",
  });
  expect(logged).toContain("relay failing: peek: database or disk is full");
  relayStatus = { failing: false };
  expect((await service.request("/readyz")).status).toBe(200);
});

test("readyz answers 503 when the oldest outbox event is older than OUTBOX_MAX_AGE_MS", async () => {
  await store.create("tenant-a", { email: "old@a.dev", name: "Old" });
  expect((await app(60_000).request("/readyz")).status).toBe(200);
  await Bun.sleep(20);
  const stale = await app(1).request("/readyz");
  expect(stale.status).toBe(503);
  expect(await stale.json()).toMatchObject({ checks: { relay: { status: "failed" } } });
  expect(logged.some((line) => line.startsWith("oldest outbox event is"))).toBe(true);
});
