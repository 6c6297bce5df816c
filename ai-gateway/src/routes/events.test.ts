import { describe, expect, test } from "bun:test";
import { makeEvent, toStructured } from "@event-mesh/contracts";
import { readError } from "@event-mesh/service-kit";
import { testGateway } from "../../test/app-fixture.ts";
import { LISTED_DEAD_LETTERS } from "./events.ts";

const good = (id: number) =>
  toStructured(
    makeEvent("user.created", {
      tenantId: "tenant-a",
      source: "urn:test",
      data: { id, name: `User ${id}`, email: `${id}@a.dev`, tenantId: "tenant-a" },
    }),
  );
/** An event whose data lacks the e-mail: dead-lettered as invalid_data. */
const bad = (id: number) => ({ ...good(id), id: `bad-${id}`, data: { id, tenantId: "tenant-a" } });

function post(app: Awaited<ReturnType<typeof testGateway>>["app"], events: unknown[]) {
  return app.request("http://localhost/events", {
    method: "POST",
    headers: {
      authorization: "Bearer ingest-secret",
      "content-type": "application/cloudevents-batch+json",
    },
    body: JSON.stringify(events),
  });
}

const deadLetterRows = (db: Awaited<ReturnType<typeof testGateway>>["db"]) =>
  db.query<{ n: number }, []>("SELECT count(*) AS n FROM dead_letters").get()?.n;

describe("POST /events limits", () => {
  test("more events than INGEST_MAX_EVENTS is a 413 naming the limit; nothing is stored or dead-lettered", async () => {
    const { app, db, store } = await testGateway({ maxEvents: 50 });
    const response = await post(app, [
      ...Array.from({ length: 40 }, (_, i) => good(i + 1)),
      ...Array.from({ length: 11 }, (_, i) => bad(i + 100)),
    ]);
    expect(response.status).toBe(413);
    expect(await readError(response)).toEqual({
      code: "payload_too_large",
      message: "51 events in one request; at most 50 (INGEST_MAX_EVENTS)",
      details: { limit: 50, events: 51 },
    });
    expect(await store.count("users", "tenant-a")).toBe(0);
    expect(deadLetterRows(db)).toBe(0);

    const exactly = await post(
      app,
      Array.from({ length: 50 }, (_, i) => good(i + 1)),
    );
    expect(exactly.status).toBe(200);
    expect(await store.count("users", "tenant-a")).toBe(50);
  });

  test("a flood of invalid events is counted in full but only the first 100 are listed", async () => {
    const { app, db, store } = await testGateway({ maxEvents: 1000 });
    const events = [good(1), ...Array.from({ length: 600 }, (_, i) => bad(i + 2))];
    const response = await post(app, events);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      accepted: number;
      stored: number;
      deadLetteredCount: number;
      deadLettered: { index: number; id: string }[];
    };
    expect(body).toMatchObject({ accepted: 601, stored: 1, deadLetteredCount: 600 });
    expect(body.deadLettered).toHaveLength(LISTED_DEAD_LETTERS);
    expect(body.deadLettered[0]).toMatchObject({ index: 1, id: "bad-2" });
    expect(body.deadLettered.at(-1)).toMatchObject({ index: 100, id: "bad-101" });
    // Every one of them is still dead-lettered, not just the listed ones.
    expect(deadLetterRows(db)).toBe(600);
    expect(await store.count("users", "tenant-a")).toBe(1);
  });
});
