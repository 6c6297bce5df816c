import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  CONSISTENCY_TOKEN_HEADER,
  CONSISTENCY_TOKEN_MAX_LENGTH,
  consistencyTokenPattern,
  decodeConsistencyToken,
  encodeConsistencyToken,
  type MeshTokenVariables,
  meshTokenKeys,
  setConsistencyToken,
} from "./consistency-token.ts";

const KEYS = ["a-mesh-token-key-of-at-least-32-characters"];
const target = {
  tenantId: "tenant-a",
  collection: "users",
  entityId: "0193a6c1-7d2e-7000-8000-000000000001",
  version: 3,
  deleted: false,
};

describe("consistency token", () => {
  test("reads back what a write put in, deletes included", () => {
    expect(decodeConsistencyToken(encodeConsistencyToken(target, KEYS), KEYS)).toEqual({
      ok: true,
      target,
    });
    const gone = { ...target, version: 4, deleted: true };
    expect(decodeConsistencyToken(encodeConsistencyToken(gone, KEYS), KEYS)).toEqual({
      ok: true,
      target: gone,
    });
  });

  test("is URL-safe, and the pattern names exactly the strings that decode", () => {
    const token = encodeConsistencyToken(target, KEYS);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token).toMatch(consistencyTokenPattern(["users", "tasks"]));
    expect(token).not.toMatch(consistencyTokenPattern(["tasks"]));
    const longest = encodeConsistencyToken(
      {
        tenantId: "t".repeat(63),
        collection: "c".repeat(63),
        entityId: "e".repeat(64),
        version: 999_999_999_999_999,
        deleted: true,
      },
      KEYS,
    );
    expect(longest.length).toBeLessThanOrEqual(CONSISTENCY_TOKEN_MAX_LENGTH);
    expect(decodeConsistencyToken(longest, KEYS).ok).toBe(true);
  });

  test("refuses text that is not a token, as a value, never a throw", () => {
    const mac = ".AAAAAAAAAAAAAAAAAAAAAA";
    const bad = [
      "",
      "not a token!",
      "x".repeat(600),
      `m2.tenant-a.users.u1.0.0${mac}`,
      "m1.tenant-a.users.u1.1.0",
      `m2.Tenant-A.users.u1.1.0${mac}`,
      `m2.tenant-a.users.u.1.1.0${mac}`,
      `m2.tenant-a.users.u1.1.2${mac}`,
      `m2.tenant-a.users.u1.1234567890123456.0${mac}`,
    ];
    for (const text of bad) expect(decodeConsistencyToken(text, KEYS).ok).toBe(false);
  });

  test("refuses a forged token and an altered one: the signature does not match", () => {
    const forged = `m2.tenant-a.users.nosuch.999999999999999.0.${"A".repeat(22)}`;
    expect(forged).toMatch(consistencyTokenPattern());
    expect(decodeConsistencyToken(forged, KEYS)).toEqual({
      ok: false,
      reason: "is not signed by this mesh (forged or altered)",
    });
    const token = encodeConsistencyToken(target, KEYS);
    const altered = token.replace(".3.0.", ".999.0.");
    expect(decodeConsistencyToken(altered, KEYS).ok).toBe(false);
    // base64url's spare bits: another spelling of the same 16 bytes is not the signature either.
    const last = token.at(-1) ?? "";
    const respelled = `${token.slice(0, -1)}${last === "A" ? "B" : "A"}`;
    expect(decodeConsistencyToken(respelled, KEYS).ok).toBe(false);
    // Signed under a key this mesh does not hold.
    const foreign = encodeConsistencyToken(target, ["another-key-another-key-another-key-1"]);
    expect(decodeConsistencyToken(foreign, KEYS).ok).toBe(false);
  });

  test("rotation: signed with the first key, accepted under any of the list", () => {
    const next = ["the-new-mesh-token-key-0123456789abcdef", ...KEYS];
    const old = encodeConsistencyToken(target, KEYS);
    const fresh = encodeConsistencyToken(target, next);
    expect(fresh).not.toBe(old);
    expect(decodeConsistencyToken(old, next).ok).toBe(true);
    expect(decodeConsistencyToken(fresh, next).ok).toBe(true);
    expect(decodeConsistencyToken(fresh, KEYS).ok).toBe(false);
  });

  test("setConsistencyToken puts a signed token in the X-Mesh-Token header of the answer", async () => {
    const app = new Hono<{ Variables: MeshTokenVariables }>()
      .use(meshTokenKeys(KEYS))
      .post("/w", (c) => {
        setConsistencyToken(c, target);
        return c.json({}, 201);
      });
    const response = await app.request("http://localhost/w", { method: "POST" });
    const token = response.headers.get(CONSISTENCY_TOKEN_HEADER) ?? "";
    expect(decodeConsistencyToken(token, KEYS)).toEqual({ ok: true, target });
  });
});
