import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  CONSISTENCY_TOKEN_HEADER,
  CONSISTENCY_TOKEN_MAX_LENGTH,
  consistencyTokenPattern,
  decodeConsistencyToken,
  encodeConsistencyToken,
  setConsistencyToken,
} from "./consistency-token.ts";

const target = {
  tenantId: "tenant-a",
  collection: "users",
  entityId: "0193a6c1-7d2e-7000-8000-000000000001",
  version: 3,
  deleted: false,
};

describe("consistency token", () => {
  test("reads back what a write put in, deletes included", () => {
    expect(decodeConsistencyToken(encodeConsistencyToken(target))).toEqual({ ok: true, target });
    const gone = { ...target, version: 4, deleted: true };
    expect(decodeConsistencyToken(encodeConsistencyToken(gone))).toEqual({
      ok: true,
      target: gone,
    });
  });

  test("is URL-safe, and the pattern names exactly the strings that decode", () => {
    const token = encodeConsistencyToken(target);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token).toMatch(consistencyTokenPattern(["users", "tasks"]));
    expect(token).not.toMatch(consistencyTokenPattern(["tasks"]));
    const longest = encodeConsistencyToken({
      tenantId: "t".repeat(63),
      collection: "c".repeat(63),
      entityId: "e".repeat(64),
      version: 999_999_999_999_999,
      deleted: true,
    });
    expect(longest.length).toBeLessThanOrEqual(CONSISTENCY_TOKEN_MAX_LENGTH);
    expect(decodeConsistencyToken(longest).ok).toBe(true);
  });

  test("refuses text that is not a token, as a value, never a throw", () => {
    const bad = [
      "",
      "not a token!",
      "x".repeat(600),
      "m1.tenant-a.users.u1.0.0",
      "m2.tenant-a.users.u1.1.0",
      "m1.Tenant-A.users.u1.1.0",
      "m1.tenant-a.users.u.1.1.0",
      "m1.tenant-a.users.u1.1.2",
      "m1.tenant-a.users.u1.1234567890123456.0",
    ];
    for (const text of bad) expect(decodeConsistencyToken(text).ok).toBe(false);
  });

  test("setConsistencyToken puts it in the X-Mesh-Token header of the answer", async () => {
    const app = new Hono().post("/w", (c) => {
      setConsistencyToken(c, target);
      return c.json({}, 201);
    });
    const response = await app.request("http://localhost/w", { method: "POST" });
    const token = response.headers.get(CONSISTENCY_TOKEN_HEADER) ?? "";
    expect(decodeConsistencyToken(token)).toEqual({ ok: true, target });
  });
});
