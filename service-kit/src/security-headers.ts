import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * The CSP of every answer but the reference pages: JSON and problem documents load nothing, and
 * no page may frame them.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Hono's secure headers on every answer: `X-Content-Type-Options: nosniff`, `X-Frame-Options`,
 * `Referrer-Policy`, the cross-origin policies, and `API_CSP`, unless a route set its own CSP
 * (the reference pages, `referencePageCsp`).
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    // Keeps the CSP a page route set for itself.
    overwrite: false,
  });
}

/** The text of each inline `<script>` of `html` (those without `src`), parsed by Bun's HTMLRewriter. */
export function inlineScripts(html: string): string[] {
  const bodies: string[] = [];
  let inline = false;
  new HTMLRewriter()
    .on("script", {
      element(script) {
        inline = !script.hasAttribute("src");
        if (inline) bodies.push("");
        script.onEndTag(() => {
          inline = false;
        });
      },
      text(chunk) {
        if (inline) bodies[bodies.length - 1] += chunk.text;
      },
    })
    .transform(html);
  return bodies;
}

/**
 * The CSP of an HTML reference page: its own scripts and inline scripts by their SHA-256 only
 * (no `unsafe-inline` for scripts), data from this origin. Styles allow inline: Scalar and the
 * AsyncAPI component set styles from their scripts, which no hash can name. `evaluates`: the
 * page's script compiles code at run time (the AsyncAPI component validates with Ajv, which
 * builds its validators with `new Function`), so it needs `unsafe-eval`.
 */
export function pageCsp(html: string, options: { evaluates?: boolean } = {}): string {
  const hashes = inlineScripts(html).map(
    (body) => `'sha256-${createHash("sha256").update(body).digest("base64")}'`,
  );
  return [
    "default-src 'self'",
    ["script-src 'self'", ...(options.evaluates ? ["'unsafe-eval'"] : []), ...hashes].join(" "),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * On an HTML page route: sets the page's CSP (`pageCsp`) from the HTML it answers, computed once
 * per distinct page (they do not change while the process runs).
 */
export function referencePageCsp(): MiddlewareHandler {
  const known = new Map<string, string>();
  return async function setPageCsp(c, next) {
    await next();
    if (!c.res.headers.get("content-type")?.startsWith("text/html")) return;
    const html = await c.res.clone().text();
    let csp = known.get(html);
    if (!csp) {
      csp = pageCsp(html);
      if (known.size >= 16) known.clear();
      known.set(html, csp);
    }
    c.res.headers.set("Content-Security-Policy", csp);
  };
}
