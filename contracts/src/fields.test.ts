import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { Email, Name } from "./fields.ts";

// The pattern `Name` used before it was made linear: the language the new one must keep.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them.
const OLD_NAME = /^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$/;

describe("Name", () => {
  test("accepts and refuses exactly what the old pattern did, for every UTF-16 code unit", () => {
    const differ: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const name of [c, `${c}a`, `a${c}`, ` ${c}`, `${c} `, `${c}${c}`]) {
        if (v.is(Name, name) !== OLD_NAME.test(name)) differ.push(JSON.stringify(name));
      }
    }
    expect(differ).toEqual([]);
  });

  test("stops at the length check: one issue for a long name with a control character", () => {
    const result = v.safeParse(Name, `${"a".repeat(300)}\u0001`);
    expect(result.issues?.map((issue) => issue.message)).toEqual([
      "must be at most 200 characters",
    ]);
  });
});

describe("Email", () => {
  test("stops at the length check: one issue for a long non-address", () => {
    const result = v.safeParse(Email, "a".repeat(300));
    expect(result.issues?.map((issue) => issue.message)).toEqual([
      "must be at most 254 characters",
    ]);
  });
});
