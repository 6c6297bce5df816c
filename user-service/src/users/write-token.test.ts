import { describe, expect, test } from "bun:test";
import { DEV_MESH_TOKEN_KEY, decodeConsistencyToken } from "@event-mesh/service-kit";
import { userAppPerTest } from "../../test/app-fixture.ts";

const t = userAppPerTest("user-service-token-");

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, {
    method,
    headers: {
      authorization: "Bearer tenant-a:user-1",
      "content-type": "application/json",
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The target of the answer's X-Mesh-Token; fails when there is none. */
function tokenOf(response: Response) {
  const decoded = decodeConsistencyToken(response.headers.get("x-mesh-token") ?? "", [
    DEV_MESH_TOKEN_KEY,
  ]);
  if (!decoded.ok) throw new Error(`no consistency token: ${decoded.reason}`);
  return decoded.target;
}

describe("write answers carry a consistency token (X-Mesh-Token)", () => {
  test("create, update and delete each name the tenant, the users collection, the user and the version written", async () => {
    const created = await send("POST", "/users", { email: "tok@a.dev", name: "Tok" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const target = { tenantId: "tenant-a", collection: "users", entityId: id };
    expect(tokenOf(created)).toEqual({ ...target, version: 1, deleted: false });

    const updated = await send("PATCH", `/users/${id}`, { name: "Tok B" });
    expect(updated.status).toBe(200);
    expect(tokenOf(updated)).toEqual({ ...target, version: 2, deleted: false });

    const deleted = await send("DELETE", `/users/${id}`);
    expect(deleted.status).toBe(204);
    expect(tokenOf(deleted)).toEqual({ ...target, version: 3, deleted: true });
  });

  test("the original POST /users/create carries it too, and an idempotent replay names the first write", async () => {
    const key = { "idempotency-key": "k-1" };
    const first = await send("POST", "/users/create", { email: "rep@a.dev", name: "Rep" }, key);
    const again = await send("POST", "/users/create", { email: "rep@a.dev", name: "Rep" }, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(tokenOf(again)).toEqual(tokenOf(first));
  });

  test("refused writes carry none", async () => {
    await send("POST", "/users", { email: "dup@a.dev", name: "Dup" });
    const taken = await send("POST", "/users", { email: "dup@a.dev", name: "Dup" });
    expect(taken.status).toBe(409);
    expect(taken.headers.get("x-mesh-token")).toBeNull();
    const missing = await send("DELETE", "/users/0193a6c1-7d2e-7000-8000-000000000999");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-mesh-token")).toBeNull();
  });
});
