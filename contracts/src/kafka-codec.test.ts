import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Glob } from "bun";
import invalid from "../fixtures/invalid.json" with { type: "json" };
import { MAX_EVENT_BYTES, makeEvent } from "./envelope.ts";
import { decode, encode, encodeStructured, type KafkaMessageInput } from "./kafka-codec.ts";

const original = '{"id":123,"email":"alice@tenant-a.dev","name":"Alice A","tenantId":"tenant-a"}';

describe("decode of the original producer's format", () => {
  test("reads a header-less message on user.events as user.created with the exact values", () => {
    const result = decode({ topic: "user.events", key: null, value: original, headers: {} });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.event.type).toBe("user.created");
    expect(result.event.data).toEqual({
      id: 123,
      email: "alice@tenant-a.dev",
      name: "Alice A",
      tenantId: "tenant-a",
    });
    expect(result.event.tenantId).toBe("tenant-a");
    expect(result.event.version).toBe(1);
  });

  test("gives a redelivered legacy message the same id", () => {
    const a = decode({ topic: "user.events", value: original });
    const b = decode({ topic: "user.events", value: new TextEncoder().encode(original) });
    expect(a.ok && b.ok && a.event.id === b.event.id).toBe(true);
  });

  test("uses the broker timestamp as the event time", () => {
    const result = decode({ topic: "user.events", value: original, timestamp: 1_700_000_000_000n });
    expect(result.ok && result.event.time).toBe("2023-11-14T22:13:20.000Z");
  });

  test("honours a topic prefix", () => {
    expect(decode({ topic: "t1.user.events", value: original }, { topicPrefix: "t1." }).ok).toBe(
      true,
    );
    expect(decode({ topic: "t1.user.events", value: original }).ok).toBe(false);
  });
});

describe("golden fixtures", () => {
  const dir = join(import.meta.dir, "..", "fixtures", "valid");
  for (const file of new Glob("*.json").scanSync(dir)) {
    test(`decodes and re-encodes ${file}`, async () => {
      const fixture = await Bun.file(join(dir, file)).json();
      const result = decode(fixture.message);
      if (!result.ok) throw new Error(result.error.message);
      expect(result.event).toEqual(fixture.event);
      expect(encode(result.event)).toEqual(fixture.message);
    });
  }

  for (const fixture of invalid) {
    test(`refuses: ${fixture.name}`, () => {
      const result = decode(fixture.message as KafkaMessageInput);
      if (result.ok) throw new Error("decoded an invalid message");
      expect<string>(result.error.code).toBe(fixture.code);
      expect(result.error.message).toContain(fixture.mentions);
    });
  }
});

describe("binary and structured content modes", () => {
  const event = makeEvent("user.updated", {
    tenantId: "tenant-a",
    source: "urn:test",
    version: 7,
    data: { id: "u-1", email: "bob@tenant-a.dev", name: "Bob", tenantId: "tenant-a" },
  });

  test("keys a record by tenant and entity and puts the data, byte for byte, in the value", () => {
    const record = encode(event);
    expect(record.topic).toBe("user.events");
    expect(record.key).toBe("tenant-a/u-1");
    expect(record.value).toBe(JSON.stringify(event.data));
    expect(record.headers.ce_entityversion).toBe("7");
    expect(record.headers.ce_tenantid).toBe("tenant-a");
  });

  test("reads headers given as a Map of bytes, as Kafka clients hand them over", () => {
    const record = encode(event);
    const bytes = new TextEncoder();
    const headers = new Map(
      Object.entries(record.headers).map(([k, v]) => [bytes.encode(k), bytes.encode(v)]),
    );
    const result = decode({ ...record, value: bytes.encode(record.value), headers });
    expect(result).toEqual({ ok: true, event });
  });

  test("decodes structured mode to the same event", () => {
    expect(decode(encodeStructured(event))).toEqual({ ok: true, event });
  });

  test("refuses a value over the size limit without parsing it", () => {
    const value = `{"pad":"${"x".repeat(MAX_EVENT_BYTES)}"}`;
    const result = decode({ ...encode(event), value });
    expect(result.ok ? "" : result.error.code).toBe("too_large");
  });

  test("refuses a header that is not UTF-8, naming it", () => {
    const record = encode(event);
    const headers = { ...record.headers, ce_source: new Uint8Array([0xc3, 0x28]) };
    const result = decode({ ...record, headers });
    expect(result.ok ? "" : result.error.message).toContain("ce_source");
  });
});
