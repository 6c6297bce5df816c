import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Scalar } from "@scalar/hono-api-reference";
import type { Context, Env, Hono, MiddlewareHandler } from "hono";
import { describeRoute } from "hono-openapi";
import { pageCsp, referencePageCsp } from "./security-headers.ts";

/**
 * The browser bundles of the reference pages, served by the service itself from the installed
 * npm packages (exact versions in service-kit/package.json): a page that loaded them from a CDN
 * was blank without internet, and changed under users whenever the CDN's latest moved.
 */
export const BUNDLES = {
  "/docs/scalar.js": { pkg: "@scalar/api-reference", file: "dist/browser/standalone.js" },
  "/asyncapi/asyncapi.js": {
    pkg: "@asyncapi/react-component",
    file: "browser/standalone/index.js",
  },
  "/asyncapi/asyncapi.css": { pkg: "@asyncapi/react-component", file: "styles/default.min.css" },
} as const;

/** Paths of the reference pages and their assets: not API routes, and probes in the logs. */
export const REFERENCE_PATHS = ["/docs", "/asyncapi", "/asyncapi.json", ...Object.keys(BUNDLES)];

type BundlePath = keyof typeof BUNDLES;

/** The file of a bundle and the version of its package (its ETag: it changes only with it). */
function locate(path: BundlePath): { file: string; version: string } {
  const { pkg, file } = BUNDLES[path];
  // The packages' `exports` do not list their browser builds; their package.json is reachable.
  const manifest = Bun.resolveSync(`${pkg}/package.json`, import.meta.dir);
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return { file: join(dirname(manifest), file), version };
}

/**
 * Serves a bundle gzipped when the browser accepts it (Scalar's is 4.8 MB, 1.4 MB gzipped).
 * Compressed once, on first request, and kept: the file never changes while the process runs.
 */
function bundleRoute(path: BundlePath) {
  const { file, version } = locate(path);
  const etag = `"${BUNDLES[path].pkg}@${version}"`;
  const type = path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  let gzipped: Uint8Array | undefined;
  return async function serveBundle(c: Context) {
    const headers: Record<string, string> = {
      "Content-Type": type,
      ETag: etag,
      "Cache-Control": "public, max-age=86400",
      Vary: "Accept-Encoding",
    };
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
    if (!/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      return new Response(Bun.file(file), { headers });
    }
    gzipped ??= Bun.gzipSync(await Bun.file(file).bytes());
    return new Response(gzipped, { headers: { ...headers, "Content-Encoding": "gzip" } });
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The AsyncAPI page: the react component's standalone build reading `/asyncapi.json`. */
function asyncApiPage(title: string): string {
  return `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)} events (AsyncAPI)</title>
    <link rel="stylesheet" href="/asyncapi/asyncapi.css" />
  </head>
  <body>
    <div id="asyncapi"></div>
    <script src="/asyncapi/asyncapi.js"></script>
    <script>
      AsyncApiStandalone.render(
        {
          schema: { url: "/asyncapi.json", options: { method: "GET" } },
          config: { show: { sidebar: true, servers: true, operations: true, messages: true } },
        },
        document.getElementById("asyncapi"),
      );
    </script>
  </body>
</html>`;
}

/** `/docs`, the Scalar API reference of `/openapi.json`, with its bundle at `/docs/scalar.js`. */
export function mountApiReference<E extends Env>(
  app: Hono<E>,
  title: string,
  describe: MiddlewareHandler,
): void {
  app.get("/docs/scalar.js", bundleRoute("/docs/scalar.js"));
  app.get(
    "/docs",
    describe,
    referencePageCsp(),
    Scalar({
      url: "/openapi.json",
      pageTitle: title,
      cdn: "/docs/scalar.js",
      // Scalar's default fonts come from its own servers; the system fonts work offline.
      withDefaultFonts: false,
      telemetry: false,
      // The services have a handful of operations each: list them all in the sidebar.
      defaultOpenAllTags: true,
    }),
  );
}

/** What the AsyncAPI page shows. */
export interface AsyncApiOptions {
  /** Page title (the service name). */
  title: string;
  /** The AsyncAPI document, served as `/asyncapi.json`. */
  document: Record<string, unknown>;
}

/**
 * `/asyncapi.json` (the event contract) and `/asyncapi`, a page rendering it, with the page's
 * script and style sheet under `/asyncapi/`.
 */
export function mountAsyncApi<E extends Env>(app: Hono<E>, options: AsyncApiOptions): void {
  app.get(
    "/asyncapi.json",
    describeRoute({
      tags: ["docs"],
      summary: "AsyncAPI 3.0 document of the events",
      description: "Rendered at /asyncapi.",
      responses: { 200: { description: "AsyncAPI" } },
    }),
    (c) => c.json(options.document),
  );
  const page = asyncApiPage(options.title);
  const csp = pageCsp(page, { evaluates: true });
  app.get("/asyncapi", (c) => c.html(page, 200, { "Content-Security-Policy": csp }));
  app.get("/asyncapi/asyncapi.js", bundleRoute("/asyncapi/asyncapi.js"));
  app.get("/asyncapi/asyncapi.css", bundleRoute("/asyncapi/asyncapi.css"));
}
