import { afterAll, expect, test } from "bun:test";
import { callHttp, deadline, urlUnder } from "./http-client.ts";

const seen: { path: string; auth: string | null }[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const url = new URL(request.url);
    seen.push({ path: `${url.pathname}${url.search}`, auth: request.headers.get("authorization") });
    if (url.pathname.endsWith("/slow")) await Bun.sleep(2_000);
    return Response.json({ ok: true });
  },
});
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

test("a path is appended under the base, which keeps its own path prefix", () => {
  expect(urlUnder("http://proxy/gw/", "/events").href).toBe("http://proxy/gw/events");
  expect(urlUnder("http://proxy/gw", "/admin/snapshot?tenant=a").href).toBe(
    "http://proxy/gw/admin/snapshot?tenant=a",
  );
  expect(() => urlUnder("http://proxy/gw", "http://elsewhere/x")).toThrow("not a path");
});

test("callHttp sends the bearer token to the path under the base", async () => {
  const response = await callHttp(`${base}/prefix/`, "/events?x=1", {
    method: "POST",
    token: "secret",
    body: "[]",
    signal: deadline(5_000).signal,
  });
  expect(await response.json()).toEqual({ ok: true });
  expect(seen.at(-1)).toEqual({ path: "/prefix/events?x=1", auth: "Bearer secret" });
});

test("a deadline ends a slow request and says it was the timeout, not the caller", async () => {
  const slow = deadline(100);
  await expect(callHttp(base, "/slow", { signal: slow.signal })).rejects.toThrow();
  expect(slow.timedOut()).toBe(true);
  const caller = new AbortController();
  const stopped = deadline(5_000, caller.signal);
  const pending = callHttp(base, "/slow", { signal: stopped.signal });
  caller.abort();
  await expect(pending).rejects.toThrow();
  expect(stopped.timedOut()).toBe(false);
});
