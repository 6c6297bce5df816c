import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { mountDocs } from "./docs.ts";
import { onError } from "./errors.ts";
import { onNoRoute } from "./no-route.ts";
import { mountAsyncApi } from "./reference-pages.ts";
import { API_CSP, inlineScripts, pageCsp, securityHeaders } from "./security-headers.ts";

function app() {
  const app = new Hono();
  app.onError(onError({ error() {} }));
  app.notFound(onNoRoute(app));
  app.use(securityHeaders());
  app.get("/things", (c) => c.json({ things: [] }));
  mountAsyncApi(app, { title: "svc", document: { asyncapi: "3.0.0" } });
  return mountDocs(app, { title: "svc", version: "1", description: "d" });
}

const scriptHashes = (csp: string) =>
  (/script-src ([^;]*)/.exec(csp)?.[1] ?? "").split(" ").filter((s) => s.startsWith("'sha256-"));

test("every answer, errors included, says nosniff, DENY and a CSP that loads nothing and forbids framing", async () => {
  for (const path of ["/things", "/nowhere", "/openapi.json"]) {
    const response = await app().request(path);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toBe(API_CSP);
  }
});

test("the reference pages get their own CSP: inline scripts by hash, never unsafe-inline scripts (eval only on /asyncapi)", async () => {
  for (const path of ["/docs", "/asyncapi"]) {
    const response = await app().request(path);
    const html = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(/script-src [^;]*unsafe-inline/.test(csp)).toBe(false);
    expect(/script-src [^;]*unsafe-eval/.test(csp)).toBe(path === "/asyncapi");
    const inline = inlineScripts(html);
    expect(inline).toHaveLength(1);
    expect(inline[0]).toContain(
      path === "/docs" ? "Scalar.createApiReference" : "AsyncApiStandalone",
    );
    expect(scriptHashes(csp)).toEqual(
      inline.map((body) => `'sha256-${createHash("sha256").update(body).digest("base64")}'`),
    );
  }
});

test("pageCsp names no script hash for a page without inline scripts", () => {
  expect(scriptHashes(pageCsp('<script src="/a.js"></script>'))).toEqual([]);
});
