import { describe, expect, test } from "bun:test";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { DEV_MESH_TOKEN_KEY, encodeConsistencyToken, readError } from "@event-mesh/service-kit";
import { testGateway } from "../../test/app-fixture.ts";
import { EmbeddingsServer } from "../../test/embeddings-server.ts";
import { HashingEmbedder } from "../embedders/hashing.ts";
import type { Embedder } from "../embedders/index.ts";
import { OpenAiEmbedder } from "../embedders/openai.ts";

const BASE = "http://localhost";
const T = { authorization: "Bearer tenant-a:user-1" };

type Hit = { id: string; score: number; data: Record<string, unknown> };

const task = (
  tenantId: string,
  id: string,
  title: string,
  status: "open" | "in_progress" | "completed",
  assignee?: number,
) =>
  makeEvent("task.created", {
    tenantId,
    source: "urn:test",
    data: { id, tenantId, title, description: "", status, ...(assignee ? { assignee } : {}) },
  });

/** A gateway holding some tasks of tenant-a (and one of tenant-b), stored before it answers. */
async function withTasks(embedder?: Embedder) {
  const gateway = await testGateway(embedder ? { embedder } : {});
  const events = [
    task("tenant-a", "t-1", "Refund INV-2024-0042 to Acme", "open", 7),
    task("tenant-a", "t-2", "Refund INV-2024-0043 to Acme", "completed"),
    task("tenant-a", "t-3", "Plan the offsite", "in_progress", 7),
    ...Array.from({ length: 12 }, (_, i) =>
      task("tenant-a", `d-${i}`, `Deploy billing service ${i}`, "completed"),
    ),
    ...Array.from({ length: 4 }, (_, i) => task("tenant-a", `o-${i}`, `Deploy docs ${i}`, "open")),
    task("tenant-b", "t-1", "Refund INV-2024-0042 to Other", "open"),
  ];
  const batch = encodeHttpBatch(events);
  const stored = await gateway.app.request(`${BASE}/events`, {
    method: "POST",
    headers: { authorization: "Bearer ingest-secret", "content-type": batch.contentType },
    body: batch.body,
  });
  expect(stored.status).toBe(200);
  const search = async (query: string) => {
    const response = await gateway.app.request(`${BASE}/search?type=tasks&${query}`, {
      headers: T,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { hits: Hit[] }).hits;
  };
  return { ...gateway, search };
}

describe("search modes", () => {
  test("hybrid is the default: an exact invoice number first in both lists scores 1", async () => {
    const { search } = await withTasks();
    const hits = await search("q=INV-2024-0042");
    expect(hits[0]).toMatchObject({ id: "t-1", score: 1 });
    expect(hits.every((hit) => hit.data.tenantId === "tenant-a")).toBe(true);
    expect(await search("q=INV-2024-0042&mode=hybrid")).toEqual(hits);
  });

  test("fusion=rrf fuses by ranks, relative (the default) by scores; both find the exact number first", async () => {
    const { search } = await withTasks();
    const relative = await search("q=INV-2024-0042");
    const rrf = await search("q=INV-2024-0042&fusion=rrf");
    expect(relative[0]?.id).toBe("t-1");
    expect(rrf[0]).toMatchObject({ id: "t-1", score: 1 });
    // t-2 shares all but the last word: relative fusion keeps how far apart the scores are.
    const second = (hits: Hit[]) => hits.find((hit) => hit.id === "t-2")?.score ?? 0;
    expect(second(relative)).not.toBeCloseTo(second(rrf), 3);
    expect(await search("q=INV-2024-0042&fusion=relative")).toEqual(relative);
  });

  test("keyword mode scores BM25 as 0..1 and finds only entities sharing a word", async () => {
    const { search } = await withTasks();
    const hits = await search("q=INV-2024-0042&mode=keyword");
    expect(hits.map((hit) => hit.id)).toEqual(["t-1", "t-2"]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? 1);
    expect(hits[0]?.score).toBeLessThan(1);
    expect(await search("q=zebra&mode=keyword")).toEqual([]);
  });

  test("vector mode scores cosine similarity, as before", async () => {
    const { search } = await withTasks();
    const hits = await search("q=Refund%20INV-2024-0042%20to%20Acme%0A%0Aopen&mode=vector");
    expect(hits[0]?.id).toBe("t-1");
    expect(hits[0]?.score).toBeCloseTo(1, 5);
  });

  test("keyword mode answers while the embedder is down; the others are a 503", async () => {
    const hashing = new HashingEmbedder(384);
    let down = false;
    const flaky: Embedder = {
      dims: 384,
      name: "flaky",
      embed: (texts) => (down ? Promise.reject(new Error("down")) : hashing.embed(texts)),
    };
    const { app, search } = await withTasks(flaky);
    down = true;
    expect((await search("q=offsite&mode=keyword")).map((hit) => hit.id)).toEqual(["t-3"]);
    const hybrid = await app.request(`${BASE}/search?type=tasks&q=offsite`, { headers: T });
    expect(hybrid.status).toBe(503);
  });
});

test("a word deep in a long description, past what the embedder reads, is found by its words, highlighted in its chunk", async () => {
  const server = new EmbeddingsServer(384);
  try {
    const embedder = new OpenAiEmbedder({ url: server.url, model: "m", dims: 384, maxChars: 2048 });
    const { app } = await testGateway({ embedder });
    const filler = "Routine weekly maintenance of the office printers and coffee machines. ";
    const description = `${filler.repeat(48)}Remember the quokka enclosure permit.`;
    expect(description.indexOf("quokka")).toBeGreaterThan(3_000);
    const batch = encodeHttpBatch([
      makeEvent("task.created", {
        tenantId: "tenant-a",
        source: "urn:test",
        data: {
          id: "long",
          tenantId: "tenant-a",
          title: "Facilities",
          description,
          status: "open",
        },
      }),
    ]);
    const stored = await app.request(`${BASE}/events`, {
      method: "POST",
      headers: { authorization: "Bearer ingest-secret", "content-type": batch.contentType },
      body: batch.body,
    });
    expect(stored.status).toBe(200);
    // The embedder was sent chunks of at most CHUNK_CHARS, the last one with the word.
    expect(server.texts.every((text) => text.length <= 1000)).toBe(true);
    expect(server.texts.some((text) => text.includes("quokka"))).toBe(true);
    const ids = async (mode: string) => {
      const response = await app.request(`${BASE}/search?type=tasks&q=quokka&mode=${mode}`, {
        headers: T,
      });
      return ((await response.json()) as { hits: Hit[] }).hits.map((hit) => hit.id);
    };
    expect(await ids("keyword")).toEqual(["long"]);
    expect(await ids("hybrid")).toEqual(["long"]);
    const response = await app.request(`${BASE}/search?type=tasks&q=quokka`, { headers: T });
    const [hit] = ((await response.json()) as { hits: { highlight?: { text: string } }[] }).hits;
    expect(hit?.highlight?.text).toContain("Remember the quokka enclosure permit.");
  } finally {
    server.stop();
  }
});

test("queries of 170 words, or of FTS5 and Qdrant syntax, are answered in every mode", async () => {
  const { search } = await withTasks();
  // 512 characters of distinct words: the keyword retrievers take the first 64.
  const many = Array.from({ length: 170 }, (_, i) => i.toString(36).padStart(2, "z")).join(" ");
  expect(many.length).toBeLessThanOrEqual(512);
  const odd = ['NEAR("refund" acme, 2)', "refund* OR ^acme", 'text : "x" AND tenant : "y"'];
  for (const mode of ["hybrid", "vector", "keyword"]) {
    await search(`q=${encodeURIComponent(many)}&mode=${mode}`);
    for (const q of odd) {
      const hits = await search(`q=${encodeURIComponent(q)}&mode=${mode}`);
      expect(hits.every((hit) => hit.data.tenantId === "tenant-a")).toBe(true);
    }
  }
});

test("a query with no letter or digit is a 400 naming q in every mode", async () => {
  const { app } = await withTasks();
  for (const mode of ["hybrid", "vector", "keyword"]) {
    for (const q of ['"', "!!!", "* ^ ()"]) {
      const response = await app.request(
        `${BASE}/search?type=tasks&mode=${mode}&q=${encodeURIComponent(q)}`,
        { headers: T },
      );
      expect({ mode, q, status: response.status }).toEqual({ mode, q, status: 400 });
      const error = await readError(response);
      expect((error.details as { path: string }[]).map((d) => d.path)).toEqual(["q"]);
    }
  }
});

describe("search filters", () => {
  test("filter=status:open answers only open tasks, and still `limit` of them", async () => {
    const { search } = await withTasks();
    for (const mode of ["hybrid", "vector", "keyword"]) {
      const hits = await search(
        `q=Deploy%20billing%20service&mode=${mode}&limit=4&filter=status:open&minScore=0`,
      );
      expect(hits.length, mode).toBe(4);
      expect(
        hits.every((hit) => hit.data.status === "open"),
        mode,
      ).toBe(true);
    }
  });

  test("values of one field are alternatives, fields all hold; the JSON body takes the same", async () => {
    const { app, search } = await withTasks();
    const query = "q=refund%20plan&mode=keyword&filter=status:open,in_progress&filter=assignee:7";
    expect((await search(query)).map((hit) => hit.id).sort()).toEqual(["t-1", "t-3"]);
    const response = await app.request(`${BASE}/search`, {
      method: "POST",
      headers: { ...T, "content-type": "application/json" },
      body: JSON.stringify({
        q: "refund plan",
        type: "tasks",
        mode: "keyword",
        filter: { status: ["open", "in_progress"], assignee: "7" },
      }),
    });
    const hits = ((await response.json()) as { hits: Hit[] }).hits;
    expect(hits.map((hit) => hit.id).sort()).toEqual(["t-1", "t-3"]);
  });

  const many = Array.from({ length: 21 }, (_, i) => `v${i}`).join(",");
  for (const [query, message] of [
    [
      "type=tasks&filter=priority:high",
      "tasks cannot be filtered on `priority` (filterable: status, assignee)",
    ],
    ["type=users&filter=status:open", "users cannot be filtered on `status` (it has none)"],
    ["type=tasks&filter=status", "must be field:value"],
    ["type=tasks&filter=status:", "must be field:value"],
    ["type=tasks&filter=status:a,,b", "must be field:value"],
    [`type=tasks&filter=status:${many}`, "at most 20 values in all (got 21)"],
    ["type=tasks&mode=fuzzy", "must be one of hybrid, vector, keyword"],
    ["type=tasks&fusion=borda", "must be one of relative, rrf"],
  ] as const) {
    test(`GET /search?${query.slice(0, 40)} is a 400 naming the parameter`, async () => {
      const { app } = await testGateway();
      const response = await app.request(`${BASE}/search?q=a&${query}`, { headers: T });
      expect(response.status).toBe(400);
      const error = await readError(response);
      const details = error.details as { path: string; message: string }[];
      const named = ["mode", "fusion"].find((p) => query.includes(`${p}=`)) ?? "filter";
      expect(details.map((d) => d.path)).toContain(named);
      expect(details.map((d) => d.message).join(" ")).toContain(message);
    });
  }

  test("a bad filter is a 400 at once, not after waiting for the write of `after`", async () => {
    // A write that never arrives: waiting for it would end in a 504 after SEARCH_WAIT_MAX_MS.
    const { app } = await testGateway({ searchWaitMaxMs: 50 });
    const after = encodeConsistencyToken(
      {
        tenantId: "tenant-a",
        collection: "tasks",
        entityId: "never-written",
        version: 1,
        deleted: false,
      },
      [DEV_MESH_TOKEN_KEY],
    );
    const query = `q=a&type=tasks&after=${after}`;
    const waited = await app.request(`${BASE}/search?${query}`, { headers: T });
    expect(waited.status).toBe(504);
    const refused = await app.request(`${BASE}/search?${query}&filter=priority:high`, {
      headers: T,
    });
    expect(refused.status).toBe(400);
  });

  test("a JSON body's filter is checked the same way", async () => {
    const { app } = await testGateway();
    const post = (filter: unknown) =>
      app.request(`${BASE}/search`, {
        method: "POST",
        headers: { ...T, "content-type": "application/json" },
        body: JSON.stringify({ q: "a", type: "tasks", filter }),
      });
    for (const filter of [{ priority: "high" }, { status: [] }, { status: "a,b" }, "status:open"]) {
      const response = await post(filter);
      expect(response.status, JSON.stringify(filter)).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('"path":"filter');
    }
  });
});
