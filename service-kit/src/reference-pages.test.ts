import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { mountDocs } from "./docs.ts";
import { mountAsyncApi } from "./reference-pages.ts";

const DOCUMENT = { asyncapi: "3.0.0", info: { title: "Items", version: "1" }, channels: {} };

const app = new Hono();
app.get("/items", describeRoute({ summary: "List items" }), (c) => c.json([]));
mountAsyncApi(app, { title: "items", document: DOCUMENT });
mountDocs(app, { title: "items", version: "1.0.0" });

/** Every `src`/`href` of a page: what a browser would fetch to show it. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].flatMap((match) =>
    match[1] ? [match[1]] : [],
  );
}

describe("reference pages load nothing from outside the service", () => {
  for (const page of ["/docs", "/asyncapi"]) {
    test(`${page} refers only to paths of the service itself`, async () => {
      const response = await app.request(page);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      const html = await response.text();
      expect(html).not.toContain("https://");
      const assets = assetsOf(html);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        expect(asset).toStartWith("/");
        const answer = await app.request(asset);
        expect(answer.status, asset).toBe(200);
        expect((await answer.bytes()).length, asset).toBeGreaterThan(10_000);
      }
    });
  }

  test("/docs runs Scalar's installed bundle against /openapi.json", async () => {
    const html = await (await app.request("/docs")).text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).toContain('"url": "/openapi.json"');
    const script = await app.request("/docs/scalar.js");
    expect(script.headers.get("content-type")).toStartWith("text/javascript");
    expect(script.headers.get("etag")).toMatch(/^"@scalar\/api-reference@\d+\.\d+\.\d+"$/);
    expect(await script.text()).toContain("createApiReference");
  });

  test("/asyncapi renders /asyncapi.json with the AsyncAPI component's bundle", async () => {
    const html = await (await app.request("/asyncapi")).text();
    expect(html).toContain('"/asyncapi.json"');
    expect(await (await app.request("/asyncapi/asyncapi.js")).text()).toContain(
      "AsyncApiStandalone",
    );
    const css = await app.request("/asyncapi/asyncapi.css");
    expect(css.headers.get("content-type")).toStartWith("text/css");
  });
});

test("/asyncapi.json serves the given document; the page bundles are no API routes", async () => {
  expect(await (await app.request("/asyncapi.json")).json()).toEqual(DOCUMENT);
  const spec = (await (await app.request("/openapi.json")).json()) as {
    paths: Record<string, unknown>;
  };
  // The documents and the reference page are documented (public, `security: []`); the scripts
  // and styles the pages load are not.
  expect(Object.keys(spec.paths).sort()).toEqual(
    ["/items", "/asyncapi.json", "/openapi.json", "/docs"].sort(),
  );
});

test("a bundle is sent gzipped to a browser that accepts it, and 304 once it has it", async () => {
  const plain = await (await app.request("/docs/scalar.js")).bytes();
  const zipped = await app.request("/docs/scalar.js", {
    headers: { "accept-encoding": "gzip, deflate, br" },
  });
  expect(zipped.headers.get("content-encoding")).toBe("gzip");
  const body = new Uint8Array(await zipped.arrayBuffer());
  expect(body.length).toBeLessThan(plain.length / 2);
  expect(new Uint8Array(Bun.gunzipSync(body))).toEqual(new Uint8Array(plain));
  const again = await app.request("/docs/scalar.js", {
    headers: { "if-none-match": zipped.headers.get("etag") ?? "" },
  });
  expect(again.status).toBe(304);
});
