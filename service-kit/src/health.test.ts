import { expect, test } from "bun:test";
import { Hono } from "hono";
import { mountHealth } from "./health.ts";
import { unavailableProblem } from "./testing.ts";

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

test("readyz answers 503 naming the failed and the hung probe; why goes to the log only", async () => {
  let aborted = false;
  const logged: Record<string, unknown>[] = [];
  const app = mountHealth(new Hono(), {
    timeoutMs: 50,
    logger: { warn: (object) => logged.push(object) },
    probes: {
      store: async () => {},
      sink: async () => {
        throw new Error("SQLITE_CANTOPEN: unable to open /srv/data/users.db");
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
  expect(response.headers.get("retry-after")).toBe("1");
  const text = await response.text();
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(JSON.parse(text)).toEqual(
    unavailableProblem("not ready: sink, search", "/readyz", {
      checks: { store: { status: "ok" }, sink: { status: "failed" }, search: { status: "failed" } },
    }),
  );
  expect(text).not.toContain("SQLITE");
  expect(text).not.toContain("/srv/data");
  expect(logged).toMatchObject([
    { probe: "sink", err: "SQLITE_CANTOPEN: unable to open /srv/data/users.db" },
    { probe: "search", err: "timed out after 50 ms" },
  ]);
  expect(aborted).toBe(true);
});
