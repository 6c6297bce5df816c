/**
 * Headless Chromium (Debian's `chromium` package) for tests that look at a page as a person
 * would: the rendered DOM and a screenshot. The network is cut to anything but 127.0.0.1, so a
 * page that needs the internet shows what it shows offline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium binary, or null when none is installed. */
export function findChromium(): string | null {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const path = Bun.which(name);
    if (path) return path;
  }
  return null;
}

/** What a page showed. */
export interface Rendered {
  /** The DOM after the page's scripts ran (`--dump-dom`). */
  dom: string;
  /** The visible text of `dom`: tags, scripts and styles removed, whitespace collapsed. */
  text: string;
  /** A PNG of the first screen. */
  screenshot: string;
}

/** The visible text of an HTML document. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}

/**
 * Loads `url` in headless Chromium with every host but 127.0.0.1 unresolvable and every
 * connection elsewhere sent to a proxy that does not exist; the page's scripts get
 * `budgetMs` of virtual time. The screenshot goes to `screenshotPath`.
 */
export async function render(
  chromium: string,
  url: string,
  screenshotPath: string,
  budgetMs = 20_000,
): Promise<Rendered> {
  const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  try {
    const proc = Bun.spawn(
      [
        chromium,
        "--headless",
        // As root (CI, containers), Chromium refuses to start with its sandbox.
        ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        `--virtual-time-budget=${budgetMs}`,
        "--window-size=1280,900",
        `--screenshot=${screenshotPath}`,
        "--dump-dom",
        url,
      ],
      { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
    );
    const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
    const [dom, errors, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    clearTimeout(timer);
    if (code !== 0 || dom.trim() === "") {
      throw new Error(
        `chromium exited with ${code}, DOM ${dom.length} bytes: ${errors.slice(-3_000)}`,
      );
    }
    return { dom, text: visibleText(dom), screenshot: screenshotPath };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
