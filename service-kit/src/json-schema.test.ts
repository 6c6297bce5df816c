import { expect, test } from "bun:test";
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { portablePattern, REQUEST_SCHEMA_OPTIONS } from "./json-schema.ts";

const convert = (schema: v.GenericSchema) => toJsonSchema(schema, REQUEST_SCHEMA_OPTIONS.options);

test("spells out \\w, \\d and \\s, inside and outside character classes", () => {
  expect(portablePattern("^[\\w+-]+\\d$")).toBe("^[A-Za-z0-9_+-]+[0-9]$");
  expect(portablePattern("[^\\s\\x00]")).toStartWith("[^\\t\\n\\v\\f\\r \\u00a0");
  expect(portablePattern("a\\.b\\\\w")).toBe("a\\.b\\\\w");
});

test("an e-mail is valibot's regex, not format: email; a later regex joins it", () => {
  const email = convert(v.pipe(v.string(), v.email()));
  expect(email.format).toBeUndefined();
  const pattern = new RegExp(String(email.pattern));
  expect(pattern.test("alice@tenant-a.dev")).toBe(true);
  expect(pattern.test("alice@localhost")).toBe(false);
  const both = convert(v.pipe(v.string(), v.email(), v.regex(/^a/)));
  const joined = new RegExp(String(both.pattern));
  expect(joined.test("alice@tenant-a.dev")).toBe(true);
  expect(joined.test("bob@tenant-a.dev")).toBe(false);
  expect(joined.test("a-not-an-address")).toBe(false);
});
