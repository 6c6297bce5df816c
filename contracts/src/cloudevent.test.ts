import { describe, expect, test } from "bun:test";
import { CLOUDEVENTS_JSON, decodeHttp, encodeHttpBatch, toStructured } from "./cloudevent.ts";
import { makeEvent } from "./envelope.ts";

const alice = makeEvent("user.created", {
  tenantId: "tenant-a",
  source: "urn:test",
  data: { id: "u-1", email: "alice@tenant-a.dev", name: "Alice", tenantId: "tenant-a" },
});
const task = makeEvent("task.created", {
  tenantId: "tenant-a",
  source: "urn:test",
  data: { id: "t-1", tenantId: "tenant-a", title: "Ship it", description: "", status: "open" },
});

describe("CloudEvents HTTP binding", () => {
  test("round-trips a batch", () => {
    const batch = encodeHttpBatch([alice, task]);
    const decoded = decodeHttp({
      headers: { "content-type": batch.contentType },
      body: batch.body,
    });
    expect(decoded).toEqual({
      ok: true,
      results: [
        { ok: true, event: alice },
        { ok: true, event: task },
      ],
    });
  });

  test("reports each bad element of a batch and keeps the good ones", () => {
    const bad = { ...toStructured(alice), type: "user.vanished" };
    const body = JSON.stringify([toStructured(alice), bad, 42]);
    const decoded = decodeHttp({
      headers: { "content-type": "application/cloudevents-batch+json" },
      body,
    });
    if (!decoded.ok) throw new Error("whole batch refused");
    expect(decoded.results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
      "ok",
      "unknown_type",
      "invalid_json",
    ]);
  });

  test("reads structured mode", () => {
    const body = JSON.stringify(toStructured(task));
    const decoded = decodeHttp({
      headers: new Headers({ "content-type": CLOUDEVENTS_JSON }),
      body,
    });
    expect(decoded).toEqual({ ok: true, results: [{ ok: true, event: task }] });
  });

  test("reads binary mode from ce-* headers", () => {
    const headers = {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": alice.id,
      "ce-source": alice.source,
      "ce-type": alice.type,
      "ce-time": alice.time,
      "ce-tenantid": alice.tenantId,
      "ce-entityversion": "1",
    };
    const decoded = decodeHttp({ headers, body: JSON.stringify(alice.data) });
    expect(decoded).toEqual({ ok: true, results: [{ ok: true, event: alice }] });
  });

  test("refuses a body that is not JSON as a whole", () => {
    const decoded = decodeHttp({ headers: { "content-type": CLOUDEVENTS_JSON }, body: "{" });
    expect(decoded.ok ? "" : decoded.error.error.code).toBe("invalid_json");
  });

  test("refuses plain JSON without ce-* headers", () => {
    const decoded = decodeHttp({ headers: { "content-type": "application/json" }, body: "{}" });
    expect(decoded.ok ? "" : decoded.error.error.code).toBe("unsupported_content_type");
  });
});
