import { describe, expect, test } from "bun:test";
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  decodeHttp,
  encodeHttpBatch,
  toStructured,
} from "./cloudevent.ts";
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
      raws: [JSON.stringify(toStructured(alice)), JSON.stringify(toStructured(task))],
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
    // Each element as sent, for its dead letter.
    expect(decoded.raws).toEqual([JSON.stringify(toStructured(alice)), JSON.stringify(bad), "42"]);
  });

  test("a batch of more than maxEvents is refused whole, with its count, before any decoding", () => {
    const body = JSON.stringify([toStructured(alice), toStructured(task), toStructured(alice)]);
    const headers = { "content-type": CLOUDEVENTS_BATCH_JSON };
    const refused = decodeHttp({ headers, body }, undefined, 2);
    expect(refused).toMatchObject({
      ok: false,
      events: 3,
      error: { error: { code: "too_large" } },
    });
    expect(decodeHttp({ headers, body }, undefined, 3).ok).toBe(true);
  });

  test("reads structured mode", () => {
    const body = JSON.stringify(toStructured(task));
    const decoded = decodeHttp({
      headers: new Headers({ "content-type": CLOUDEVENTS_JSON }),
      body,
    });
    expect(decoded).toEqual({ ok: true, results: [{ ok: true, event: task }], raws: [body] });
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
    const body = JSON.stringify(alice.data);
    const decoded = decodeHttp({ headers, body });
    expect(decoded).toMatchObject({ ok: true, results: [{ ok: true, event: alice }] });
    // Its dead letter: the ce-* headers with the body.
    const ce = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.startsWith("ce-")),
    );
    const raws = decoded.ok ? decoded.raws.map((raw) => JSON.parse(raw)) : [];
    expect(raws).toEqual([{ headers: ce, body }]);
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
