import { expect, test } from "bun:test";
import { Hono } from "hono";
import { mountHealth } from "./health.ts";

test("healthz answers alive without running probes", async () => {
  let ran = false;
  const app = mountHealth(new Hono(), {
    probes: {
      store: async () => {
        ran = true;
      },
    },
  });
  const response = await app.request("/healthz");
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
  expect(ran).toBe(false);
});

test("readyz answers ready when every probe passes", async () => {
  const app = mountHealth(new Hono(), { probes: { store: async () => {}, sink: async () => 1 } });
  const response = await app.request("/readyz");
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    status: "ready",
    checks: { store: { status: "ok" }, sink: { status: "ok" } },
  });
});

test("readyz answers 503 naming the failed and the hung probe", async () => {
  let aborted = false;
  const app = mountHealth(new Hono(), {
    timeoutMs: 50,
    probes: {
      store: async () => {},
      sink: async () => {
        throw new Error("connection refused");
      },
      search: (signal) =>
        new Promise(() => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
        }),
    },
  });
  const response = await app.request("/readyz");
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    status: "not_ready",
    checks: {
      store: { status: "ok" },
      sink: { status: "failed", error: "connection refused" },
      search: { status: "failed", error: "timed out after 50 ms" },
    },
    error: { code: "service_unavailable", message: "not ready: sink, search" },
  });
  expect(aborted).toBe(true);
});
