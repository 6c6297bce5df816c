import { expect, test } from "bun:test";
import { Hono } from "hono";
import * as v from "valibot";
import { onError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";
import { bodyLimitFor } from "./json-worst-case.ts";
import { asciiJson, readError } from "./testing.ts";
import { validate } from "./validate.ts";

const Note = v.strictObject({
  title: v.pipe(v.string(), v.maxLength(200)),
  body: v.optional(v.pipe(v.string(), v.maxLength(4000))),
  tag: v.nullable(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,63}$/))),
  kind: v.picklist(["short", "very-long-kind"]),
  pinned: v.optional(v.boolean()),
  stars: v.optional(v.number()),
});

const app = new Hono();
app.onError(onError({ error() {} }));
app.post("/notes", jsonBody({ schema: Note }), validate("json", Note), (c) => c.json({}));
const post = (body: string) =>
  app.request("/notes", { method: "POST", body, headers: { "content-type": "application/json" } });

const longest = {
  title: "題".repeat(200),
  body: "😀".repeat(2000),
  tag: "t".repeat(63),
  kind: "very-long-kind",
  pinned: false,
  stars: -1.7976931348623157e308,
};

test("the longest valid body passes escaped, unescaped and indented; the limit still caps bodies", async () => {
  for (const text of [
    asciiJson(longest),
    JSON.stringify(longest),
    JSON.stringify(longest, null, 4),
  ]) {
    expect((await post(text)).status).toBe(200);
  }
  // Far past the worst case, yet no field over its length: refused on size before parsing.
  const padded = `${asciiJson(longest).slice(0, -1)}${" ".repeat(64 * 1024)}}`;
  const response = await post(padded);
  expect(response.status).toBe(413);
  expect((await readError(response)).code).toBe("payload_too_large");
});

test("the limit is the escaped worst case plus room for formatting, never below the floor", () => {
  expect(bodyLimitFor(Note, 0)).toBeGreaterThanOrEqual(asciiJson(longest).length);
  expect(bodyLimitFor(Note, 0)).toBeLessThan(asciiJson(longest).length + 2048);
  expect(bodyLimitFor(v.strictObject({ a: v.pipe(v.string(), v.maxLength(5)) }), 16_384)).toBe(
    16_384,
  );
});

test("a schema without a length bound names the fix instead of guessing a limit", () => {
  expect(() => jsonBody({ schema: v.strictObject({ free: v.string() }) })).toThrow(/maxBytes/);
  expect(() => jsonBody({ schema: v.object({ a: v.pipe(v.string(), v.maxLength(1)) }) })).toThrow(
    /maxBytes/,
  );
});
