import { expect, test } from "bun:test";
import { Hono } from "hono";
import { onError } from "./errors.ts";
import { createMetrics } from "./metrics.ts";
import { mountMetrics } from "./metrics-exposure.ts";

const TOKEN = "metrics-token-0123456789-abcdefghijkl";

function appWith(exposure: Parameters<typeof mountMetrics>[2]) {
  const app = new Hono();
  app.onError(onError({ error() {} }));
  mountMetrics(app, createMetrics({ namespace: "test_service" }), exposure);
  return app;
}

test("METRICS_TOKEN alone: /metrics on the service's port answers only with the bearer token", async () => {
  const app = appWith({ token: TOKEN });
  const none = await app.request("/metrics");
  expect(none.status).toBe(401);
  expect(none.headers.get("content-type")).toBe("application/problem+json");
  const wrong = await app.request("/metrics", { headers: { authorization: "Bearer nope" } });
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  const ok = await app.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(ok.status).toBe(200);
});

test("without either variable /metrics stays open, as before; with METRICS_PORT it is not on the app", async () => {
  expect((await appWith({}).request("/metrics")).status).toBe(200);
  expect((await appWith({ port: 9464 }).request("/metrics")).status).toBe(404);
});
