import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, unavailableProblem } from "@event-mesh/service-kit";
import { freePort } from "../../../scripts/lib/service-process.ts";
import { testGateway } from "../../test/app-fixture.ts";
import { OpenAiEmbedder } from "../embedders/openai.ts";
import type { UsageMeter } from "../usage/index.ts";
import { SqliteUsage } from "../usage/sqlite.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A logger whose lines the test can read. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    name: "test",
    level: "info",
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}

test("an embedder that refuses connections is a 503 naming it, with Retry-After and the request id; the cause is only logged", async () => {
  const { logger, lines } = capturedLogger();
  // Nothing listens on this port: a real ECONNREFUSED.
  const embedder = new OpenAiEmbedder({
    url: `http://127.0.0.1:${freePort()}/v1`,
    model: "m",
    dims: 384,
  });
  const { app } = await testGateway({ embedder, logger });
  const response = await app.request("http://localhost/search?q=Ann", {
    headers: { authorization: "Bearer tenant-a:user-1", "x-request-id": "trace-7" },
  });
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("1");
  expect(response.headers.get("x-request-id")).toBe("trace-7");
  const text = await response.text();
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(JSON.parse(text)).toEqual(
    unavailableProblem("embedder is unavailable; retry later", "/search", {
      details: { dependency: "embedder" },
      requestId: "trace-7",
    }),
  );
  expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|TypeError|embeddings/);
  const logged = lines
    .map((line) => JSON.parse(line))
    .find((entry) => entry.requestId === "trace-7" && entry.err);
  expect(logged).toMatchObject({ level: "warn", msg: "embedder is unavailable; retry later" });
  expect(String(logged?.err)).toContain("ECONNREFUSED");
});

test("a search is answered when recording its usage fails, and the failure is counted", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gateway-usage-"));
  dirs.push(dataDir);
  // Create the table, then meter through a read-only connection: every record fails (SQLITE_READONLY).
  new SqliteUsage(new Database(join(dataDir, "usage.sqlite"), { create: true }));
  const readOnly = new SqliteUsage(new Database(join(dataDir, "usage.sqlite"), { readonly: true }));
  const { logger, lines } = capturedLogger();
  const { app, metrics } = await testGateway({ dataDir, usage: readOnly, logger });
  const response = await app.request("http://localhost/search?q=Ann", {
    headers: { authorization: "Bearer tenant-a:user-1" },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ hits: [] });
  expect(
    await metrics.registry.getSingleMetricAsString("ai_gateway_usage_record_failures_total"),
  ).toContain('ai_gateway_usage_record_failures_total{metric="searches"} 1');
  expect(lines.some((line) => line.includes("recording search usage failed"))).toBe(true);
});

test("a search is answered without waiting for its count, which lingers to go out with others", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gateway-usage-"));
  dirs.push(dataDir);
  // A meter whose sends never finish (a billing topic that does not answer).
  const asked: { linger: boolean | undefined }[] = [];
  const usage: UsageMeter = {
    record: (_increments, options) => {
      asked.push({ linger: options?.linger });
      return new Promise<void>(() => {});
    },
    totals: async () => ({ embeddings: 0, searches: 0 }),
  };
  const { app } = await testGateway({ dataDir, usage });
  const response = await app.request("http://localhost/search?q=Ann", {
    headers: { authorization: "Bearer tenant-a:user-1" },
  });
  expect(response.status).toBe(200);
  expect(asked).toEqual([{ linger: true }]);
});
