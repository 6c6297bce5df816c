import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeHttp } from "./cloudevent.ts";
import { buildEvent } from "./envelope.ts";
import { decode } from "./kafka-codec.ts";
import { isEventType } from "./registry.ts";

// Keys every plain object inherits: `type in EVENT_SCHEMAS` found them, and the decoder then
// ran `Object.prototype` (or the `Object` function) as a schema and threw a TypeError.
const INHERITED = Object.getOwnPropertyNames(Object.prototype);
const eventTypeLike = fc.oneof(
  fc.constantFrom(...INHERITED, "__proto__", "constructor", "toString", "user.created.x"),
  fc.string(),
  fc.string({ unit: "grapheme" }),
);

const data = { id: 7, email: "a@b.dev", name: "Ann", tenantId: "tenant-a" };
const attributes = (type: string) => ({
  specversion: "1.0",
  id: "evt-1",
  source: "urn:test",
  type,
  time: "2026-11-27T06:50:53.000Z",
  tenantid: "tenant-a",
});

/** What the decoders must answer for a type outside the catalog. */
const unknown = (type: string) =>
  ({
    ok: false,
    error: { code: "unknown_type", message: `unknown event type "${type}"` },
  }) as const;

describe("an event type outside the catalog", () => {
  test("inherited names are not event types", () => {
    for (const name of INHERITED) expect(isEventType(name)).toBe(false);
  });

  test("never throws and is unknown_type, in every decoder", () => {
    fc.assert(
      fc.property(
        eventTypeLike.filter((type) => !isEventType(type)),
        (type) => {
          expect(buildEvent(attributes(type), data)).toEqual(unknown(type));
          const structured = decodeHttp({
            headers: { "content-type": "application/cloudevents-batch+json" },
            body: JSON.stringify([{ ...attributes(type), data }]),
          });
          expect(structured).toMatchObject({ ok: true, results: [unknown(type)] });
          const record = {
            topic: "user.events",
            value: JSON.stringify(data),
            headers: Object.fromEntries(
              Object.entries(attributes(type)).map(([name, value]) => [`ce_${name}`, value]),
            ),
          };
          expect(decode(record)).toEqual(unknown(type));
        },
      ),
      { numRuns: 500, examples: [["__proto__"], ["constructor"], ["toString"]] },
    );
  });

  test("over HTTP binary mode (ce-type header) too", () => {
    for (const type of ["__proto__", "constructor", "hasOwnProperty"]) {
      const binary = decodeHttp({
        headers: {
          "content-type": "application/json",
          ...Object.fromEntries(
            Object.entries(attributes(type)).map(([name, value]) => [`ce-${name}`, value]),
          ),
        },
        body: JSON.stringify(data),
      });
      expect(binary).toMatchObject({ ok: true, results: [unknown(type)] });
    }
  });
});
