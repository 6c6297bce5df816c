import { describe, expect, test } from "bun:test";
import { documentedErrors, readError } from "@event-mesh/service-kit";
import { userAppPerTest } from "../test/app-fixture.ts";

// What the contract fuzzer (test/openapi-fuzz.test.ts) found, pinned at the app level.

const A = { authorization: "Bearer tenant-a:user-1" };
const t = userAppPerTest("user-service-openapi-");

interface Operation {
  security?: unknown;
  parameters?: { name: string; schema: { pattern?: string } }[];
  requestBody?: { content: Record<string, { schema: { minProperties?: number } }> };
}

async function operation(path: string, method: string): Promise<Operation> {
  const spec = (await (await t.app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const found = spec.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
}

async function pattern(path: string, method: string, name: string): Promise<RegExp> {
  const parameter = (await operation(path, method)).parameters?.find((p) => p.name === name);
  if (!parameter?.schema.pattern) throw new Error(`${name} has no pattern`);
  return new RegExp(parameter.schema.pattern);
}

describe("error responses", () => {
  test("every documented error response is an RFC 9457 problem document", async () => {
    const errors = documentedErrors(await (await t.app.request("/openapi.json")).json());
    expect(errors.map((e) => e.response)).toContain("POST /users 409");
    expect(errors.map((e) => e.response)).toContain("GET /readyz 503");
    expect(errors.filter((e) => e.types.join() !== "application/problem+json")).toEqual([]);
  });

  test("a 401 is a problem document and keeps its WWW-Authenticate challenge", async () => {
    const unauthorized = await t.app.request("/users");
    expect(unauthorized.headers.get("www-authenticate")).toBe("Bearer");
    expect(await readError(unauthorized)).toEqual({
      code: "unauthorized",
      message: "missing Authorization header",
    });
  });
});

describe("methods and challenges", () => {
  test("a known path with another method is a 405 listing the allowed ones", async () => {
    const response = await t.app.request("/users", { method: "PUT", headers: A });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    expect((await readError(response)).code).toBe("method_not_allowed");
    const health = await t.app.request("/healthz", { method: "DELETE" });
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");
  });

  test("a 401 carries WWW-Authenticate: Bearer", async () => {
    const response = await t.app.request("/users");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });
});

describe("/openapi.json says what the routes do", () => {
  test("/healthz and /readyz are public; the users routes need the token", async () => {
    expect((await operation("/healthz", "get")).security).toEqual([]);
    expect((await operation("/readyz", "get")).security).toEqual([]);
    expect((await operation("/users/{id}", "patch")).security).toEqual([{ bearer: [] }]);
  });

  test("limit: 1 to 100 in up to three digits, so not 1.0", async () => {
    const limit = await pattern("/users", "get", "limit");
    for (const ok of ["1", "007", "100"]) expect(limit.test(ok)).toBe(true);
    for (const bad of ["0", "101", "1.0", "0100"]) expect(limit.test(bad)).toBe(false);
    expect((await t.app.request("/users?limit=1.0", { headers: A })).status).toBe(400);
    expect((await t.app.request("/users?limit=007", { headers: A })).status).toBe(200);
  });

  test("cursor: any id-shaped string is a position, which the route accepts", async () => {
    expect((await pattern("/users", "get", "cursor")).test("zzz")).toBe(true);
    const response = await t.app.request("/users?cursor=zzz", { headers: A });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ users: [], nextCursor: null });
  });

  test("Idempotency-Key: printable ASCII, no space at either end", async () => {
    const key = await pattern("/users", "post", "idempotency-key");
    expect(key.test("k 1")).toBe(true);
    expect(key.test("x".repeat(256))).toBe(false);
    expect(key.test("é")).toBe(false);
    expect(key.test(" k")).toBe(false);
  });

  test("PATCH needs at least one field", async () => {
    const body = (await operation("/users/{id}", "patch")).requestBody;
    expect(body?.content["application/json"]?.schema.minProperties).toBe(1);
  });
});
