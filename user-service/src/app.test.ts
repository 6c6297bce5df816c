import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteOutboxEvents } from "@event-mesh/outbox-kit";
import {
  asciiJson,
  createLogger,
  createMetrics,
  readError,
  requester,
} from "@event-mesh/service-kit";
import { SignJWT } from "jose";
import * as v from "valibot";
import { createApp } from "./app.ts";
import { SqliteUserStore } from "./store/sqlite.ts";
import { UserPageSchema, UserSchema } from "./users/schemas.ts";

const SECRET = "user-service-test-secret-of-enough-length";
const A = "Bearer tenant-a:user-1";
const B = "Bearer tenant-b:user-2";
const OPERATOR = "operator-credential-of-at-least-32-chars";

let dir: string;
let store: SqliteUserStore;
let sinkUp: boolean;
let app: ReturnType<typeof createApp>;
let send: ReturnType<typeof requester>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "user-service-"));
  store = new SqliteUserStore(join(dir, "user-service.sqlite"));
  sinkUp = true;
  app = createApp({
    store,
    sink: {
      name: "test",
      probe: async () => {
        if (!sinkUp) throw new Error("gateway unreachable");
      },
    },
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: createMetrics({ namespace: "user_service" }),
    auth: { mode: "dev" },
    operatorToken: OPERATOR,
  });
  send = requester(app);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createUser(email: string, name = "Alice", auth = A) {
  const response = await send("POST", "/users", { auth, body: { email, name } });
  expect(response.status).toBe(201);
  return v.parse(UserSchema, await response.json());
}

/** The events waiting in the outbox, decoded with the contracts package. */
const outboxEvents = () => sqliteOutboxEvents(join(dir, "user-service.sqlite"));

describe("POST /users and /users/create", () => {
  test("creates a user in the caller's tenant with version 1 and writes user.created", async () => {
    const response = await send("POST", "/users", {
      auth: A,
      body: { email: "alice@tenant-a.dev", name: "Alice A" },
    });
    expect(response.status).toBe(201);
    const user = v.parse(UserSchema, await response.json());
    expect(user).toMatchObject({
      email: "alice@tenant-a.dev",
      name: "Alice A",
      tenantId: "tenant-a",
      version: 1,
    });
    expect(user.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(outboxEvents()).toEqual([
      expect.objectContaining({
        type: "user.created",
        tenantId: "tenant-a",
        version: 1,
        data: { id: user.id, email: "alice@tenant-a.dev", name: "Alice A", tenantId: "tenant-a" },
      }),
    ]);
  });

  test("the original route creates the same way", async () => {
    const response = await send("POST", "/users/create", {
      auth: A,
      body: { email: "o@a.dev", name: "O" },
    });
    expect(response.status).toBe(201);
    expect(outboxEvents().map((event) => event.type)).toEqual(["user.created"]);
  });

  test("ignores any tenant in the body: unknown field, 400", async () => {
    const response = await send("POST", "/users", {
      auth: A,
      body: { email: "x@a.dev", name: "X", tenantId: "tenant-b" },
    });
    expect(response.status).toBe(400);
    expect(await readError(response)).toEqual({
      code: "invalid_input",
      message: "invalid body",
      details: [{ path: "tenantId", message: "is not a known field" }],
    });
  });

  test("answers 400 naming the field for a bad e-mail and a blank name", async () => {
    const response = await send("POST", "/users", {
      auth: A,
      body: { email: "not-an-email", name: "  " },
    });
    expect(response.status).toBe(400);
    expect((await readError(response)).details).toEqual([
      { path: "email", message: "must be an e-mail address" },
      { path: "name", message: expect.stringContaining("blank") },
    ]);
  });

  test("answers 409 for an e-mail taken in the tenant, whatever its case", async () => {
    await createUser("alice@a.dev");
    const response = await send("POST", "/users", {
      auth: A,
      body: { email: "ALICE@A.dev", name: "Other" },
    });
    expect(response.status).toBe(409);
    expect((await readError(response)).code).toBe("conflict");
    expect(outboxEvents()).toHaveLength(1);
  });

  test("lets another tenant use the same e-mail", async () => {
    const first = await createUser("alice@a.dev");
    const other = await createUser("alice@a.dev", "Alice B", B);
    expect(other).toMatchObject({ tenantId: "tenant-b", email: "alice@a.dev" });
    expect(other.id).not.toBe(first.id);
  });

  test("answers 413 for a body of 16 KiB + 1", async () => {
    const small = JSON.stringify({ email: "a@a.dev", name: "" });
    const body = JSON.stringify({
      email: "a@a.dev",
      name: "n".repeat(16 * 1024 + 1 - small.length),
    });
    expect(Buffer.byteLength(body)).toBe(16 * 1024 + 1);
    const response = await send("POST", "/users", { auth: A, body });
    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe("payload_too_large");
  });

  test("the longest valid user is accepted with non-ASCII escaped (as Python sends it) or not", async () => {
    const longest = { email: `${"e".repeat(64)}@${"d".repeat(60)}.dev`, name: "名".repeat(200) };
    for (const [i, text] of [asciiJson(longest), JSON.stringify(longest)].entries()) {
      const body = text.replace("eeee", `ee${i}e`);
      const created = await send("POST", "/users", { auth: A, body });
      expect(created.status).toBe(201);
      const user = v.parse(UserSchema, await created.json());
      expect(user.name).toBe(longest.name);
      const patch = asciiJson({ name: "ü".repeat(200) });
      expect((await send("PATCH", `/users/${user.id}`, { auth: A, body: patch })).status).toBe(200);
    }
  });

  test("answers 415 for a body that is not JSON", async () => {
    const response = await send("POST", "/users", {
      auth: A,
      body: "email=a@a.dev",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
    expect((await readError(response)).code).toBe("unsupported_media_type");
  });

  test("answers 400 for malformed JSON", async () => {
    const response = await send("POST", "/users", { auth: A, body: '{"email": "a@a.dev",' });
    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe("invalid_json");
  });

  test("answers 400 invalid_utf8 for a body that is not UTF-8, and stores nothing", async () => {
    // "Zo\xEB": Latin-1, not UTF-8. Decoded leniently it was stored as "Zo\uFFFD".
    const bytes = (name: number[]) =>
      Uint8Array.of(
        ...new TextEncoder().encode('{"email":"zoe@a.dev","name":"'),
        ...name,
        ...new TextEncoder().encode('"}'),
      );
    const post = (body: Uint8Array) =>
      app.request("/users", {
        method: "POST",
        headers: { authorization: A, "content-type": "application/json" },
        body,
      });
    for (const name of [[0x5a, 0x6f, 0xeb], [0xc3], [0xed, 0xa0, 0x80], [0xff, 0xfe]]) {
      const response = await post(bytes(name));
      expect(response.status).toBe(400);
      expect(await readError(response)).toMatchObject({
        code: "invalid_utf8",
        message: "body is not valid UTF-8",
      });
    }
    expect(outboxEvents()).toEqual([]);
    const list = await send("GET", "/users", { auth: A });
    expect(((await list.json()) as { users: unknown[] }).users).toEqual([]);

    // The same name in UTF-8 is stored as sent.
    const ok = await post(bytes([0x5a, 0x6f, 0xc3, 0xab]));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { name: string }).name).toBe("Zoë");
  });

  test("a failed transaction leaves neither the user nor its event", async () => {
    // A real SQLite failure inside the transaction: the outbox insert aborts.
    const db = new Database(join(dir, "user-service.sqlite"));
    db.run(
      "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    const response = await send("POST", "/users", {
      auth: A,
      body: { email: "lost@a.dev", name: "Lost" },
    });
    expect(response.status).toBe(500);
    expect(await readError(response)).toEqual({
      code: "internal",
      message: "internal server error",
    });
    expect(db.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 0 });
    db.run("DROP TRIGGER fail_outbox");
    db.close();
    expect(outboxEvents()).toEqual([]);
    const list = await send("GET", "/users", { auth: A });
    expect(v.parse(UserPageSchema, await list.json()).users).toEqual([]);
    // The e-mail was not taken by the failed attempt.
    await createUser("lost@a.dev");
  });
});

describe("Idempotency-Key", () => {
  const post = (key: string, body: unknown, auth = A) =>
    send("POST", "/users", { auth, body, headers: { "idempotency-key": key } });

  test("same key and body: the first response again, nothing new created", async () => {
    const first = await post("k-1", { email: "i@a.dev", name: "I" });
    const second = await post("k-1", { email: "i@a.dev", name: "I" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.json()).toEqual(await first.json());
    expect(outboxEvents()).toHaveLength(1);
  });

  test("same key, another body: 422 and nothing created", async () => {
    await post("k-2", { email: "j@a.dev", name: "J" });
    const reused = await post("k-2", { email: "k@a.dev", name: "K" });
    expect(reused.status).toBe(422);
    expect((await readError(reused)).code).toBe("idempotency_key_reused");
    expect(outboxEvents()).toHaveLength(1);
  });

  test("keys are per tenant", async () => {
    await post("k-3", { email: "l@a.dev", name: "L" });
    const other = await post("k-3", { email: "l@a.dev", name: "L" }, B);
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(outboxEvents()).toHaveLength(2);
  });

  test("answers 400 for an unusable key", async () => {
    const response = await post("x".repeat(256), { email: "m@a.dev", name: "M" });
    expect(response.status).toBe(400);
    expect((await readError(response)).details).toEqual([
      { path: "idempotency-key", message: "must be 1–255 printable ASCII characters" },
    ]);
  });
});

describe("GET /users", () => {
  test("pages through the tenant's users with a cursor, oldest first", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createUser(`u${i}@a.dev`, `U${i}`));
    await createUser("other@b.dev", "Other", B);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await send("GET", `/users${query}`, { auth: A });
      expect(response.status).toBe(200);
      const page = v.parse(UserPageSchema, await response.json());
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((user) => user.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created.map((user) => user.id));
  });

  test.each(["0", "101", "abc"])("answers 400 for limit=%s", async (limit) => {
    const response = await send("GET", `/users?limit=${limit}`, { auth: A });
    expect(response.status).toBe(400);
    expect((await readError(response)).details).toEqual([
      { path: "limit", message: "must be an integer from 1 to 100" },
    ]);
  });

  test("answers 400 for a cursor it did not hand out", async () => {
    const response = await send("GET", "/users?cursor=%25%25", { auth: A });
    expect(response.status).toBe(400);
    expect((await readError(response)).details).toEqual([
      { path: "cursor", message: "is not a valid cursor" },
    ]);
  });
});

describe("GET, PATCH, DELETE /users/{id}", () => {
  test("gets a user", async () => {
    const user = await createUser("g@a.dev");
    const response = await send("GET", `/users/${user.id}`, { auth: A });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(user);
  });

  test("answers 404 for a missing user", async () => {
    const response = await send("GET", "/users/no-such-user", { auth: A });
    expect(response.status).toBe(404);
    expect(await readError(response)).toEqual({ code: "not_found", message: "user not found" });
  });

  test("answers 404 for another tenant's user, exactly like a missing one, on every route", async () => {
    const user = await createUser("secret@a.dev");
    const missing = await readError(await send("GET", "/users/no-such-user", { auth: B }));
    for (const [method, body] of [["GET"], ["PATCH", { name: "Hacked" }], ["DELETE"]] as const) {
      const response = await send(method, `/users/${user.id}`, { auth: B, body });
      expect(response.status).toBe(404);
      expect(await readError(response)).toEqual(missing);
    }
    expect(await (await send("GET", `/users/${user.id}`, { auth: A })).json()).toEqual(user);
    expect(outboxEvents()).toHaveLength(1);
  });

  test("updates e-mail and/or name, bumping the version and writing user.updated", async () => {
    const user = await createUser("p@a.dev", "P");
    const renamed = await send("PATCH", `/users/${user.id}`, { auth: A, body: { name: "P2" } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ email: "p@a.dev", name: "P2", version: 2 });
    const moved = await send("PATCH", `/users/${user.id}`, {
      auth: A,
      body: { email: "q@a.dev", name: "Q" },
    });
    const after = v.parse(UserSchema, await moved.json());
    expect(after).toMatchObject({
      email: "q@a.dev",
      name: "Q",
      version: 3,
      createdAt: user.createdAt,
    });
    expect(
      outboxEvents().map((event): unknown[] => [event.type, event.version, event.data]),
    ).toEqual([
      ["user.created", 1, { id: user.id, email: "p@a.dev", name: "P", tenantId: "tenant-a" }],
      ["user.updated", 2, { id: user.id, email: "p@a.dev", name: "P2", tenantId: "tenant-a" }],
      ["user.updated", 3, { id: user.id, email: "q@a.dev", name: "Q", tenantId: "tenant-a" }],
    ]);
  });

  test("answers 400 for an empty patch and for unknown fields", async () => {
    const user = await createUser("e@a.dev");
    const empty = await send("PATCH", `/users/${user.id}`, { auth: A, body: {} });
    expect(empty.status).toBe(400);
    expect((await readError(empty)).details).toEqual([
      { path: "", message: "must contain email and/or name" },
    ]);
    const unknown = await send("PATCH", `/users/${user.id}`, { auth: A, body: { version: 9 } });
    expect(unknown.status).toBe(400);
  });

  test("answers 409 when the new e-mail belongs to another user of the tenant", async () => {
    await createUser("taken@a.dev");
    const user = await createUser("mine@a.dev");
    const response = await send("PATCH", `/users/${user.id}`, {
      auth: A,
      body: { email: "Taken@A.dev" },
    });
    expect(response.status).toBe(409);
    expect(outboxEvents()).toHaveLength(2);
  });

  test("deletes a user (204), writes user.deleted, and frees the e-mail", async () => {
    const user = await createUser("d@a.dev");
    const response = await send("DELETE", `/users/${user.id}`, { auth: A });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await send("GET", `/users/${user.id}`, { auth: A })).status).toBe(404);
    expect((await send("DELETE", `/users/${user.id}`, { auth: A })).status).toBe(404);
    const again = await createUser("d@a.dev");
    expect(again.id).not.toBe(user.id);
    expect(
      outboxEvents().map((event): unknown[] => [event.type, event.version, event.data]),
    ).toEqual([
      ["user.created", 1, { id: user.id, email: "d@a.dev", name: "Alice", tenantId: "tenant-a" }],
      ["user.deleted", 2, { id: user.id, tenantId: "tenant-a" }],
      ["user.created", 1, { id: again.id, email: "d@a.dev", name: "Alice", tenantId: "tenant-a" }],
    ]);
  });
});

describe("auth", () => {
  test("answers 401 without a token on every users route", async () => {
    for (const [method, path] of [
      ["POST", "/users"],
      ["POST", "/users/create"],
      ["GET", "/users"],
      ["GET", "/users/x"],
      ["PATCH", "/users/x"],
      ["DELETE", "/users/x"],
    ] as const) {
      const response = await send(method, path, { body: { email: "a@a.dev", name: "A" } });
      expect(response.status).toBe(401);
      expect((await readError(response)).code).toBe("unauthorized");
    }
    expect(outboxEvents()).toEqual([]);
  });

  describe("in jwt mode", () => {
    let jwtApp: ReturnType<typeof createApp>;
    beforeEach(() => {
      jwtApp = createApp({
        store,
        sink: { name: "test", probe: async () => {} },
        logger: createLogger({ name: "test", level: "silent" }),
        metrics: createMetrics({ namespace: "user_service" }),
        auth: { mode: "jwt", secret: SECRET },
      });
    });
    const sign = (
      claims: Record<string, unknown>,
      options: { exp?: number | string; secret?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("user-1")
        .setExpirationTime(options.exp ?? "5m")
        .sign(new TextEncoder().encode(options.secret ?? SECRET));
    const list = (token: string) =>
      jwtApp.request("/users", { headers: { authorization: `Bearer ${token}` } });

    test("takes the tenant from the token", async () => {
      await createUser("jwt@a.dev");
      const response = await list(await sign({ tenant: "tenant-a" }));
      expect(response.status).toBe(200);
      expect(
        v.parse(UserPageSchema, await response.json()).users.map((user) => user.email),
      ).toEqual(["jwt@a.dev"]);
    });

    test("answers 401 for an expired token", async () => {
      const response = await list(
        await sign({ tenant: "tenant-a" }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      );
      expect(response.status).toBe(401);
      expect((await readError(response)).message).toBe("token has expired");
    });

    test("answers 401 for a wrong signature", async () => {
      const response = await list(await sign({ tenant: "tenant-a" }, { secret: `${SECRET}x` }));
      expect(response.status).toBe(401);
    });

    test("answers 401 for alg none", async () => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const exp = Math.floor(Date.now() / 1000) + 60;
      const token = `${part({ alg: "none" })}.${part({ tenant: "tenant-a", sub: "u", exp })}.`;
      expect((await list(token)).status).toBe(401);
    });

    test("answers 401 for a token without a tenant claim", async () => {
      const response = await list(await sign({}));
      expect(response.status).toBe(401);
      expect((await readError(response)).message).toBe("token has no valid 'tenant' claim");
    });

    test("answers 401 for a dev token", async () => {
      expect((await list("tenant-a:user-1")).status).toBe(401);
    });
  });
});

describe("operations", () => {
  test("healthz is alive and readyz follows the sink", async () => {
    expect((await send("GET", "/healthz")).status).toBe(200);
    const ready = await send("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { store: { status: "ok" }, sink: { status: "ok" }, relay: { status: "ok" } },
    });
    sinkUp = false;
    const down = await send("GET", "/readyz");
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(await down.json()).toMatchObject({
      status: 503,
      code: "service_unavailable",
      detail: "not ready: sink",
      checks: { store: { status: "ok" }, sink: { status: "failed" } },
    });
    expect((await send("GET", "/healthz")).status).toBe(200);
  });

  test("metrics count requests by route pattern and status", async () => {
    const user = await createUser("m@a.dev");
    await send("GET", `/users/${user.id}`, { auth: A });
    await send("GET", "/users/nope", { auth: A });
    const text = await (await send("GET", "/metrics")).text();
    expect(text).toContain(
      'user_service_http_requests_total{method="POST",route="/users",status="201"} 1',
    );
    expect(text).toContain(
      'user_service_http_requests_total{method="GET",route="/users/:id",status="200"} 1',
    );
    expect(text).toContain(
      'user_service_http_requests_total{method="GET",route="/users/:id",status="404"} 1',
    );
  });

  test("serves an OpenAPI document of every route, and the docs page", async () => {
    const spec = await (await send("GET", "/openapi.json")).json();
    expect(spec).toMatchObject({
      paths: {
        "/users": { post: { requestBody: {} }, get: {} },
        "/users/create": { post: { requestBody: {} } },
        "/users/{id}": { get: {}, patch: { requestBody: {} }, delete: {} },
        "/healthz": { get: {} },
        "/readyz": { get: {} },
      },
    });
    expect((await send("GET", "/docs")).status).toBe(200);
  });

  test("unknown routes answer 404 with the error body", async () => {
    const response = await send("GET", "/nope");
    expect(response.status).toBe(404);
    expect((await readError(response)).code).toBe("not_found");
  });
});

describe("POST /admin/tenants", () => {
  const tenant = { tenantId: "tenant-new", name: "New Tenant" };

  test("provisions a tenant with the operator credential and writes tenant.created", async () => {
    const response = await send("POST", "/admin/tenants", {
      auth: `Bearer ${OPERATOR}`,
      body: tenant,
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject(tenant);
    const [event] = outboxEvents();
    expect(event).toMatchObject({ type: "tenant.created", tenantId: "tenant-new", data: tenant });
  });

  test("answers 409 for a tenant provisioned before, and writes no second event", async () => {
    const auth = `Bearer ${OPERATOR}`;
    expect((await send("POST", "/admin/tenants", { auth, body: tenant })).status).toBe(201);
    const again = await send("POST", "/admin/tenants", { auth, body: tenant });
    expect(again.status).toBe(409);
    expect((await readError(again)).code).toBe("conflict");
    expect(outboxEvents()).toHaveLength(1);
  });

  test("answers 401 without a token and 403 for a tenant's token or a wrong one", async () => {
    const none = await send("POST", "/admin/tenants", { body: tenant });
    expect(none.status).toBe(401);
    expect((await readError(none)).code).toBe("unauthorized");
    for (const auth of [A, "Bearer not-the-operator-credential"]) {
      const response = await send("POST", "/admin/tenants", { auth, body: tenant });
      expect(response.status).toBe(403);
      expect((await readError(response)).code).toBe("forbidden");
    }
    expect(outboxEvents()).toEqual([]);
  });

  test("a method the route does not have is 405, whatever the token (as on every route)", async () => {
    for (const auth of [`Bearer ${OPERATOR}`, A]) {
      const response = await send("PUT", "/admin/tenants", { auth, body: tenant });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toContain("POST");
    }
  });

  test("answers 400 naming the field for a bad tenant id", async () => {
    const response = await send("POST", "/admin/tenants", {
      auth: `Bearer ${OPERATOR}`,
      body: { tenantId: "Not A Tenant", name: "X" },
    });
    expect(response.status).toBe(400);
    expect((await readError(response)).details).toEqual([
      { path: "tenantId", message: expect.any(String) },
    ]);
  });

  test("without OPERATOR_TOKEN every bearer is refused with 403", async () => {
    const closed = createApp({
      store,
      sink: { name: "test", probe: async () => {} },
      logger: createLogger({ name: "test", level: "silent" }),
      metrics: createMetrics({ namespace: "user_service" }),
      auth: { mode: "dev" },
    });
    const response = await closed.request("/admin/tenants", {
      method: "POST",
      headers: { authorization: `Bearer ${OPERATOR}`, "content-type": "application/json" },
      body: JSON.stringify(tenant),
    });
    expect(response.status).toBe(403);
  });
});

describe("DELETE /admin/tenants/{id} and GET /admin/erasures/{tenant}", () => {
  const auth = `Bearer ${OPERATOR}`;

  test("erases the tenant for an operator, then its writes are 410 tenant_erased and reads find nothing", async () => {
    const alice = await createUser("alice@a.dev");
    const bob = await createUser("bob@b.dev", "Bob", B);
    const erased = await send("DELETE", "/admin/tenants/tenant-a", { auth });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({
      tenantId: "tenant-a",
      requestedBy: "OPERATOR_TOKEN",
      counts: { users: 1, outbox: 1 },
    });
    const write = await send("POST", "/users", { auth: A, body: { email: "c@a.dev", name: "C" } });
    expect(write.status).toBe(410);
    expect(write.headers.get("content-type")).toContain("application/problem+json");
    expect((await readError(write)).code).toBe("tenant_erased");
    expect((await send("DELETE", `/users/${alice.id}`, { auth: A })).status).toBe(410);
    expect((await send("GET", `/users/${alice.id}`, { auth: A })).status).toBe(404);
    // Another tenant keeps its user and its writes.
    expect((await send("GET", `/users/${bob.id}`, { auth: B })).status).toBe(200);
    const other = await send("POST", "/users", { auth: B, body: { email: "d@b.dev", name: "D" } });
    expect(other.status).toBe(201);
    expect(outboxEvents().map((event) => [event.type, event.tenantId])).toEqual([
      ["user.created", "tenant-b"],
      ["tenant.deleted", "tenant-a"],
      ["user.created", "tenant-b"],
    ]);
    const record = await send("GET", "/admin/erasures/tenant-a", { auth });
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({ tenantId: "tenant-a", provisionedAt: null });
  });

  test("provisioning the tenant again takes its writes again", async () => {
    await createUser("alice@a.dev");
    expect((await send("DELETE", "/admin/tenants/tenant-a", { auth })).status).toBe(200);
    const body = { tenantId: "tenant-a", name: "A again" };
    expect((await send("POST", "/admin/tenants", { auth, body })).status).toBe(201);
    const write = await send("POST", "/users", { auth: A, body: { email: "a@a.dev", name: "A" } });
    expect(write.status).toBe(201);
  });

  test("answers 401 without a token, 403 for a tenant's token, and erases nothing", async () => {
    const alice = await createUser("alice@a.dev");
    expect((await send("DELETE", "/admin/tenants/tenant-a", {})).status).toBe(401);
    const forbidden = await send("DELETE", "/admin/tenants/tenant-a", { auth: A });
    expect(forbidden.status).toBe(403);
    expect((await send("GET", "/admin/erasures/tenant-a", { auth: A })).status).toBe(403);
    expect((await send("GET", `/users/${alice.id}`, { auth: A })).status).toBe(200);
  });

  test("answers 400 naming the field for a bad tenant id, 404 for a tenant never erased", async () => {
    const bad = await send("DELETE", "/admin/tenants/Not%20A%20Tenant", { auth });
    expect(bad.status).toBe(400);
    expect((await readError(bad)).details).toEqual([{ path: "id", message: expect.any(String) }]);
    const never = await send("GET", "/admin/erasures/tenant-z", { auth });
    expect(never.status).toBe(404);
  });
});
