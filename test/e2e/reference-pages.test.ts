// The API reference (/docs) and the event reference (/asyncapi) of both services, opened in a
// real browser with no network but 127.0.0.1: they used to load their scripts from a CDN and
// were blank white pages offline.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findChromium, render } from "../chromium.ts";
import { type Running, startStack, stopAll, tail } from "./stack.ts";

const chromium = findChromium();

/** What each page must show once its scripts ran: operations, channels, messages. */
const PAGES = [
  {
    service: "user-service",
    path: "/docs",
    shows: [/user-service/, /post\s*\/users\b/i, /get\s*\/users\/\{id\}/i, /delete\s*\/users/i],
  },
  {
    service: "ai-gateway",
    path: "/docs",
    shows: [
      /ai-gateway/,
      /get\s*\/search\b/i,
      /post\s*\/search\b/i,
      /get\s*\/stats\b/i,
      /Ingest CloudEvents/,
    ],
  },
  ...(["user-service", "ai-gateway"] as const).map((service) => ({
    service,
    path: "/asyncapi",
    shows: [
      /Event Mesh/,
      /user\.events/,
      /billing\.events/,
      /user\.created/,
      /task\.completed/,
      // Was "the key is /.": the description's <tenantId> read as an HTML tag.
      /the key is <tenantId>\/<entityId> ?\./,
    ],
  })),
];

if (!chromium) {
  if (process.env.CI === "true") {
    test("has Chromium (CI=true)", () => {
      throw new Error("CI=true but no chromium on PATH: apt-get install -y chromium");
    });
  } else {
    console.warn("[browser] reference page tests skipped: no chromium on PATH");
    test.skip("reference pages render offline (needs chromium)", () => {});
  }
} else {
  const browser = chromium;
  // Started while the file loads, not in beforeAll: when any test of the file times out, Bun
  // 1.4.5 SIGTERMs every process the file's hooks and tests spawned ("killed 2 dangling
  // processes", oven-sh/bun#39657), and the services would be gone for the tests after it.
  const { gateway, users } = await startStack();
  const services: Record<string, Running> = { "ai-gateway": gateway, "user-service": users };
  const shots = mkdtempSync(join(tmpdir(), "reference-pages-"));
  console.log(`[browser] screenshots in ${shots}`);
  describe("reference pages render in a browser with no internet", () => {
    afterAll(stopAll);

    for (const page of PAGES) {
      test(`${page.service} ${page.path} lists what it documents`, async () => {
        const service = services[page.service];
        if (!service) throw new Error(`${page.service} did not start`);
        const shot = join(shots, `${page.service}${page.path.replace("/", "-")}.png`);
        const { text } = await render(browser, `${service.url}${page.path}`, shot).catch(
          (error: unknown) => {
            // Whether the service was still there tells a browser problem from a service one.
            const state = `${service.name} exit code ${service.proc.exitCode}`;
            throw new Error(`${String(error)}\n${state}${tail([service])}`);
          },
        );
        console.log(`[browser] ${page.service} ${page.path}: ${shot}`);
        for (const expected of page.shows) expect(text).toMatch(expected);
        expect(await Bun.file(shot).exists()).toBe(true);
        // Explicit: in a run of many files the preload's default timeout did not apply (5 s).
      }, 60_000);
    }
  });
}
