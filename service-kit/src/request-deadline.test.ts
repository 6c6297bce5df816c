import { expect, test } from "bun:test";
import { Hono } from "hono";
import { onError } from "./errors.ts";
import { PROBLEM_JSON } from "./problem.ts";
import { idleTimeoutFor, MAX_DEADLINE_MS, requestDeadline } from "./request-deadline.ts";
import { readError } from "./testing.ts";

test("a route past its deadline answers 504 with a problem document, a quick one is untouched", async () => {
  const app = new Hono();
  app.onError(onError({ error() {} }));
  app.use(requestDeadline(50));
  app.get("/slow", async (c) => {
    await Bun.sleep(2_000);
    return c.json({ late: true });
  });
  app.get("/quick", (c) => c.json({ ok: true }));
  const slow = await app.request("/slow");
  expect(slow.status).toBe(504);
  expect(slow.headers.get("content-type")).toBe(PROBLEM_JSON);
  expect(await readError(slow)).toMatchObject({
    code: "timeout",
    message: "no answer within 50 ms",
  });
  expect((await app.request("/quick")).status).toBe(200);
});

test("the server's idle timeout outlasts the longest deadline, within what Bun allows", () => {
  expect(idleTimeoutFor(1_000)).toBe(10);
  expect(idleTimeoutFor(35_000)).toBe(40);
  expect(idleTimeoutFor(10 * 60_000)).toBe(255);
  expect(idleTimeoutFor(MAX_DEADLINE_MS)).toBe(255);
});
