import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { decodeHttp, encodeHttpBatch } from "./cloudevent.ts";
import type { AnyMeshEvent } from "./envelope.ts";
import { Email, Name } from "./fields.ts";
import { decode, encode } from "./kafka-codec.ts";

const tenant = fc.stringMatching(/^[a-z0-9-]{1,63}$/);
const entityId = fc.oneof(
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);
const email = fc.emailAddress().filter((value) => v.is(Email, value));
const name = fc.string({ minLength: 1, maxLength: 200 }).filter((value) => v.is(Name, value));
const text = fc.string({ maxLength: 300 });
const time = fc
  .date({ min: new Date("1990-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
  .map((date) => date.toISOString());

function dataFor(type: AnyMeshEvent["type"], tenantId: string): fc.Arbitrary<unknown> {
  switch (type) {
    case "user.created":
    case "user.updated":
      return fc.record({ id: entityId, email, name, tenantId: fc.constant(tenantId) });
    case "user.deleted":
      return fc.record({ id: entityId, tenantId: fc.constant(tenantId) });
    case "tenant.created":
      return fc.record({ tenantId: fc.constant(tenantId), name });
    case "tenant.deleted":
      return fc.record({ tenantId: fc.constant(tenantId) });
    case "task.created":
    case "task.updated":
    case "task.completed":
      return fc.record(
        {
          id: entityId,
          tenantId: fc.constant(tenantId),
          title: name,
          description: text,
          status: fc.constantFrom("open", "in_progress", "completed"),
          assignee: entityId,
        },
        { requiredKeys: ["id", "tenantId", "title", "description", "status"] },
      );
    case "task.deleted":
      return fc.record({ id: entityId, tenantId: fc.constant(tenantId) });
    case "billing.usage.incremented":
      return fc.record({
        tenantId: fc.constant(tenantId),
        metric: fc.constantFrom("embeddings", "searches"),
        amount: fc.integer({ min: 1, max: 1_000_000 }),
        occurredAt: time,
      });
  }
}

const eventType = fc.constantFrom<AnyMeshEvent["type"]>(
  "user.created",
  "user.updated",
  "user.deleted",
  "tenant.created",
  "tenant.deleted",
  "task.created",
  "task.completed",
  "task.updated",
  "task.deleted",
  "billing.usage.incremented",
);

/** Valid events of every type; the data arbitrary depends on the type and tenant. */
const validEvent = fc
  .record({
    type: eventType,
    tenantId: tenant,
    id: fc.uuid(),
    source: fc.webUrl(),
    time,
    version: fc.integer({ min: 1, max: 2 ** 40 }),
  })
  .chain((envelope) =>
    dataFor(envelope.type, envelope.tenantId).map(
      (data) => ({ ...envelope, data }) as AnyMeshEvent,
    ),
  );

describe("codec properties", () => {
  test("decode(encode(e)) equals e for generated valid events", () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(decode(encode(event))).toEqual({ ok: true, event });
      }),
      { numRuns: 500 },
    );
  });

  test("an HTTP batch of generated events decodes to the same events", () => {
    fc.assert(
      fc.property(fc.array(validEvent, { maxLength: 10 }), (events) => {
        const batch = encodeHttpBatch(events);
        const decoded = decodeHttp({
          headers: { "content-type": batch.contentType },
          body: batch.body,
        });
        expect(decoded).toMatchObject({
          ok: true,
          results: events.map((event) => ({ ok: true, event })),
        });
      }),
      { numRuns: 200 },
    );
  });

  test("arbitrary bytes come back as an error value, never a throw", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.dictionary(fc.string(), fc.uint8Array({ maxLength: 32 })),
        fc.constantFrom("user.events", "task.events", "other"),
        (value, headers, topic) => {
          const result = decode({ topic, value, headers });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("arbitrary JSON on user.events never throws and never passes without a valid user", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const result = decode({ topic: "user.events", value: JSON.stringify(json) ?? "null" });
        // Refused, or read as the original producer's user.created: nothing else.
        expect(result.ok ? result.event.type : "refused").toBeOneOf(["refused", "user.created"]);
      }),
      { numRuns: 1000 },
    );
  });
});
