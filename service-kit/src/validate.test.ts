import { expect, test } from "bun:test";
import { toFieldIssues } from "./validate.ts";

test("a wrong-type message quoting the client's value is read in one pass, whatever the value", () => {
  // valibot quotes the received string whole. `(.+) but received (.+)$` backtracked over a
  // value that repeats the separator and ends in a newline: 45 ms at 16 KiB, minutes at 1 MiB.
  const value = `${" but received ".repeat(75_000)}\n`;
  const issues = toFieldIssues([
    { message: `Invalid type: Expected number but received "${value}"`, path: ["age"] },
  ]);
  expect(issues).toEqual([{ path: "age", message: `must be number (got "${value}")` }]);
});

test("names an unknown and a missing field", () => {
  expect(
    toFieldIssues([
      { message: 'Invalid key: Expected never but received "role"', path: ["role"] },
      { message: 'Invalid key: Expected "email" but received undefined', path: ["email"] },
    ]),
  ).toEqual([
    { path: "role", message: "is not a known field" },
    { path: "email", message: "is required" },
  ]);
});
