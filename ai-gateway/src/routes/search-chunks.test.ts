import { describe, expect, test } from "bun:test";
import { makeEvent, toStructured } from "@event-mesh/contracts";
import { DEV_MESH_TOKEN_KEY, encodeConsistencyToken } from "@event-mesh/service-kit";
import { testGateway } from "../../test/app-fixture.ts";
import { filler } from "../../test/store-contract-chunks.ts";

const BASE = "http://localhost";
const bearer = { authorization: "Bearer tenant-a:user-1" };
const ID = "0193a6c1-7d2e-7000-8000-0000000000c1";
const PASSAGE = "Rotate the zephyr quokka credentials before the xylophone audit closes.";
/** 4,000 characters (the most a description holds), the passage at character 3,800. */
const DESCRIPTION = `${filler(1, 3800)}${PASSAGE} ${filler(2, 400)}`.slice(0, 4000);

const task = (id: string, description: string, version = 1) =>
  makeEvent("task.created", {
    tenantId: "tenant-a",
    source: "urn:test",
    version,
    data: {
      id,
      tenantId: "tenant-a",
      title: "Quarterly access review",
      description,
      status: "open",
    },
  });

async function ingest(app: Awaited<ReturnType<typeof testGateway>>["app"], events: unknown[]) {
  return app.request(`${BASE}/events`, {
    method: "POST",
    headers: {
      authorization: "Bearer ingest-secret",
      "content-type": "application/cloudevents-batch+json",
    },
    body: JSON.stringify(events),
  });
}

interface Hits {
  hits: {
    id: string;
    data: { description: string };
    highlight?: { text: string; start: number; end: number };
  }[];
}

describe("long texts through the gateway", () => {
  test("a 4,000-character task sent to /events is found by a passage near its end, highlighted", async () => {
    const { app, db } = await testGateway();
    const others = [2, 3, 4].map((n) => task(`${ID.slice(0, -1)}${n}`, filler(n * 10, 4000)));
    const sent = await ingest(app, [task(ID, DESCRIPTION), ...others].map(toStructured));
    expect(sent.status).toBe(200);
    const after = encodeConsistencyToken(
      { tenantId: "tenant-a", collection: "tasks", entityId: ID, version: 1, deleted: false },
      [DEV_MESH_TOKEN_KEY],
    );
    const q = encodeURIComponent(PASSAGE);
    const response = await app.request(`${BASE}/search?type=tasks&q=${q}&after=${after}`, {
      headers: bearer,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Hits;
    expect(body.hits[0]?.id).toBe(ID);
    expect(new Set(body.hits.map((hit) => hit.id)).size).toBe(body.hits.length);
    const full = `Quarterly access review\n${DESCRIPTION}\nopen`;
    const highlight = body.hits[0]?.highlight;
    expect(highlight?.text).toBe(full.slice(highlight?.start, highlight?.end));
    expect(highlight?.start).toBeLessThanOrEqual(full.indexOf(PASSAGE));
    expect(highlight?.end).toBeGreaterThanOrEqual(full.indexOf(PASSAGE) + PASSAGE.length);
    expect(body.hits[0]?.data.description).toBe(DESCRIPTION);
    expect(db.query("SELECT count(*) AS n FROM dead_letters").get()).toEqual({ n: 0 });
  });

  test("a text needing more than MAX_CHUNKS_PER_ENTITY chunks is dead-lettered with the reason", async () => {
    const { app, db } = await testGateway({ env: { MAX_CHUNKS_PER_ENTITY: "2" } });
    expect((await ingest(app, [toStructured(task(ID, DESCRIPTION))])).status).toBe(200);
    const letters = db
      .query<{ code: string; reason: string }, []>("SELECT code, reason FROM dead_letters")
      .all();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.code).toBe("too_many_chunks");
    expect(letters[0]?.reason).toMatch(/needs \d+ chunks .*MAX_CHUNKS_PER_ENTITY is 2/);
    const q = encodeURIComponent(PASSAGE);
    const body = (await (
      await app.request(`${BASE}/search?type=tasks&q=${q}`, { headers: bearer })
    ).json()) as Hits;
    expect(body.hits).toEqual([]);
  });

  test("an update to a short description drops the long one's highlight", async () => {
    const { app } = await testGateway();
    await ingest(app, [toStructured(task(ID, DESCRIPTION))]);
    await ingest(app, [toStructured(task(ID, "Rotate the credentials.", 2))]);
    const q = encodeURIComponent(PASSAGE);
    const body = (await (
      await app.request(`${BASE}/search?type=tasks&q=${q}`, { headers: bearer })
    ).json()) as Hits;
    expect(body.hits.map((hit) => [hit.id, hit.data.description, hit.highlight])).toEqual([
      [ID, "Rotate the credentials.", undefined],
    ]);
  });

  test("/openapi.json describes a hit's highlight: text, start and end", async () => {
    const { app } = await testGateway();
    const spec = JSON.stringify(await (await app.request(`${BASE}/openapi.json`)).json());
    const at = spec.indexOf('"highlight":');
    expect(at).toBeGreaterThan(0);
    const described = spec.slice(at, at + 800);
    for (const field of ['"text"', '"start"', '"end"', "best"]) expect(described).toContain(field);
  });
});
