import { expect, test } from "bun:test";
import { parseBrokers } from "./brokers.ts";

test("reads a comma-separated host:port list, ignoring blanks", () => {
  expect(parseBrokers(" a:9092, 10.0.0.2:19092 ,,[::1]:9093")).toEqual({
    ok: true,
    brokers: ["a:9092", "10.0.0.2:19092", "[::1]:9093"],
  });
});

test("names the entry that is not host:port", () => {
  expect(parseBrokers("a:9092,b")).toEqual({
    ok: false,
    message: '"b" is not host:port',
    entry: "b",
  });
  expect(parseBrokers("a:99999").ok).toBe(false);
  expect(parseBrokers("kafka://a:9092").ok).toBe(false);
  expect(parseBrokers(" , ")).toEqual({ ok: false, message: "must list at least one host:port" });
});
