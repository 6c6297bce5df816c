import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  type ServiceProcess,
  startService,
  waitReady,
} from "../scripts/lib/service-process.ts";

const TOKEN = "metrics-token-0123456789-abcdefghijkl";
const running: ServiceProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Each service in embedded mode with METRICS_PORT and METRICS_TOKEN: its counters (embedding
 * cache hits, per-route traffic) are off the public port, and the internal one wants the token.
 * Its answers carry the security headers, the reference pages a CSP of their own.
 */
describe("/metrics on an internal listener behind METRICS_TOKEN; security headers", () => {
  for (const name of ["user-service", "task-service", "ai-gateway"] as const) {
    test(`${name}: /metrics 404 on its port, on METRICS_PORT 401 without the token and 200 with it; nosniff and a CSP`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "metrics-exposure-"));
      dirs.push(dataDir);
      const metricsPort = freePort();
      const service = startService({
        name,
        port: freePort(),
        env: {
          DATA_DIR: dataDir,
          KAFKA_BROKERS: "",
          DATABASE_URL: "",
          QDRANT_URL: "",
          METRICS_PORT: String(metricsPort),
          METRICS_TOKEN: TOKEN,
          LOG_LEVEL: "warn",
        },
      });
      running.push(service);
      await waitReady(service, "/healthz");
      expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
      const internal = `http://127.0.0.1:${metricsPort}/metrics`;
      const none = await fetch(internal);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe("Bearer");
      const wrong = await fetch(internal, {
        headers: { authorization: `Bearer ${"x".repeat(37)}` },
      });
      expect(wrong.status).toBe(401);
      const scraped = await fetch(internal, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain("_http_request_duration_seconds");

      const health = await fetch(`${service.url}/healthz`);
      expect(health.headers.get("x-content-type-options")).toBe("nosniff");
      expect(health.headers.get("content-security-policy")).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      const docs = await fetch(`${service.url}/docs`);
      expect(docs.headers.get("content-security-policy")).toMatch(
        /^default-src 'self'; script-src 'self' 'sha256-[^']+'.*frame-ancestors 'none'$/,
      );
    }, 60_000);
  }
});
