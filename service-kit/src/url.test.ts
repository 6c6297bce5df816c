import { expect, test } from "bun:test";
import { trimTrailingSlashes } from "./url.ts";

test("cuts every trailing slash and keeps a path prefix", () => {
  expect(trimTrailingSlashes("http://host/gw///")).toBe("http://host/gw");
  expect(trimTrailingSlashes("http://host:3001")).toBe("http://host:3001");
  expect(trimTrailingSlashes("///")).toBe("");
});

test("a long run of slashes followed by another character is handled in one pass", () => {
  // `/\/+$/` takes quadratic time on this input; the loop reads each character once.
  const url = `http://h/${"/".repeat(200_000)}x`;
  expect(trimTrailingSlashes(url)).toBe(url);
});
