import { afterEach, describe, expect, test } from "bun:test";
import { makeEvent } from "@event-mesh/contracts";
import type { Incoming } from "../src/pipeline/pipeline.ts";
import { servedGateway } from "./served-gateway.ts";

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const user = (tenantId: string, id: number) =>
  makeEvent("user.created", {
    tenantId,
    source: "urn:test",
    data: { id, name: `User ${id}`, email: `${id}@${tenantId}.dev`, tenantId },
  });

const BATCH_MAX = 16;
const FLOOD = 2_000;

/**
 * Tenant A posts FLOOD events in 4 concurrent requests; once the first of A's batches is being
 * processed, tenant B posts one event. Returns how many of A's events were handed to the
 * pipeline between B's request reaching the batcher and B's event, and how many after B's.
 */
async function floodThenQuiet(fair: boolean) {
  const order: string[] = [];
  let firstBatch: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    firstBatch = resolve;
  });
  const gw = await servedGateway({
    batchMax: BATCH_MAX,
    maxEvents: FLOOD,
    env: { FAIR_BATCHING: String(fair) },
    onIngest: (items: readonly Incoming[]) => {
      if (
        items.some(
          (item) =>
            item.source === "http" && item.result.ok && item.result.event.tenantId === "tenant-b",
        )
      )
        order.push("arrived:tenant-b");
    },
    onBatch: (items: readonly Incoming[]) => {
      for (const item of items)
        if (item.source === "http" && item.result.ok) order.push(item.result.event.tenantId);
      firstBatch();
    },
  });
  stops.push(() => gw.stop());
  const flood = Array.from({ length: FLOOD }, (_, i) => user("tenant-a", i + 1));
  const quarter = FLOOD / 4;
  const floods = [0, 1, 2, 3].map((i) => gw.post(flood.slice(i * quarter, (i + 1) * quarter)));
  await started;
  const quiet = await gw.post([user("tenant-b", 1)]);
  expect(quiet.status).toBe(200);
  for (const response of await Promise.all(floods)) expect(response.status).toBe(200);
  const arrived = order.indexOf("arrived:tenant-b");
  const position = order.indexOf("tenant-b");
  expect(arrived).toBeGreaterThan(0);
  const result = { before: position - arrived - 1, after: order.length - position - 1 };
  return result;
}

describe("fair batching across tenants", () => {
  test("tenant B's event is stored within a batch or two, long before A's backlog is drained", async () => {
    const { before, after } = await floodThenQuiet(true);
    // B's event is in the first batch cut after it arrived, where A has at most its one slot.
    expect(before).toBeLessThanOrEqual(1);
    expect(after).toBeGreaterThan(FLOOD / 2);
  });

  test("with FAIR_BATCHING=false B waits behind everything A had queued", async () => {
    const { before } = await floodThenQuiet(false);
    // A's events queued before B's (a full queue: 2 × BATCH_MAX) go first.
    expect(before).toBeGreaterThanOrEqual(2 * BATCH_MAX);
  });
});
