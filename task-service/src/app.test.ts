import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteOutboxEvents } from "@event-mesh/outbox-kit";
import {
  asciiJson,
  createLogger,
  createMetrics,
  DEV_MESH_TOKEN_KEY,
  decodeConsistencyToken,
  readError,
  requester,
} from "@event-mesh/service-kit";
import * as v from "valibot";
import { createApp as createUserApp } from "../../user-service/src/app.ts";
import { SqliteUserStore } from "../../user-service/src/store/sqlite.ts";
import { type AppDeps, createApp } from "./app.ts";
import { userServiceAssignees } from "./assignees.ts";
import { SqliteTaskStore } from "./store/sqlite.ts";
import { TaskPageSchema, TaskSchema } from "./tasks/schemas.ts";

const A = "Bearer tenant-a:user-1";
const B = "Bearer tenant-b:user-2";
const silent = () => createLogger({ name: "test", level: "silent" });

let dir: string;
let store: SqliteTaskStore;
let send: ReturnType<typeof requester>;

/** Serves the app on `store` with dev auth; `extra` adds dependencies (assignee check, operator). */
function open(extra: Partial<AppDeps> = {}) {
  const app = createApp({
    store,
    sink: { name: "test", probe: async () => {} },
    logger: silent(),
    metrics: createMetrics({ namespace: "task_service" }),
    auth: { mode: "dev" },
    ...extra,
  });
  send = requester(app);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "task-service-"));
  store = new SqliteTaskStore(join(dir, "task-service.sqlite"));
  open();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** [type, tenant, version] of each event in the outbox, oldest first. */
const events = () =>
  sqliteOutboxEvents(join(dir, "task-service.sqlite")).map((e) => [e.type, e.tenantId, e.version]);

async function createTask(body: Record<string, unknown> = { title: "Write the guide" }, auth = A) {
  const response = await send("POST", "/tasks", { auth, body });
  expect(response.status).toBe(201);
  return v.parse(TaskSchema, await response.json());
}

describe("POST /tasks", () => {
  test("creates an open, unassigned task in the caller's tenant and writes task.created", async () => {
    const task = await createTask({ title: "Write the guide", description: "Sign-up first" });
    expect(task).toMatchObject({
      tenantId: "tenant-a",
      title: "Write the guide",
      description: "Sign-up first",
      status: "open",
      assignee: null,
      version: 1,
    });
    const [event] = sqliteOutboxEvents(join(dir, "task-service.sqlite"));
    expect(event).toMatchObject({
      type: "task.created",
      tenantId: "tenant-a",
      version: 1,
      data: { id: task.id, title: "Write the guide", status: "open" },
    });
    expect(event?.data).not.toHaveProperty("assignee");
  });

  test("answers 400 naming each bad field, and stores nothing", async () => {
    const response = await send("POST", "/tasks", {
      auth: A,
      body: { title: " ", status: "completed", tenantId: "tenant-b" },
    });
    expect(response.status).toBe(400);
    const paths = (await readError(response)).details as { path: string }[];
    expect(paths.map((issue) => issue.path).sort()).toEqual(["status", "tenantId", "title"]);
    expect(events()).toEqual([]);
  });

  test("the longest valid task is accepted with non-ASCII escaped (as Python sends it) or not, and a larger body is still a 413", async () => {
    // 200 + 4,000 characters: about 26 KB once every character is a 6-byte \uXXXX escape.
    const cjk = { title: "漢".repeat(200), description: "語".repeat(4000), status: "in_progress" };
    // Emoji are surrogate pairs: 2,000 of them are 4,000 UTF-16 units, 12 bytes each escaped.
    const emoji = { title: "😀".repeat(100), description: "🚀".repeat(2000), assignee: null };
    for (const body of [cjk, emoji]) {
      for (const text of [asciiJson(body), JSON.stringify(body)]) {
        const created = await send("POST", "/tasks", { auth: A, body: text });
        expect(created.status).toBe(201);
        const task = v.parse(TaskSchema, await created.json());
        expect(task.description).toBe(body.description);
        const patched = await send("PATCH", `/tasks/${task.id}`, { auth: A, body: text });
        expect(patched.status).toBe(200);
      }
    }
    expect(asciiJson(cjk).length).toBeGreaterThan(24_000);
    const huge = asciiJson({ title: "x", description: "語".repeat(20_000) });
    const refused = await send("POST", "/tasks", { auth: A, body: huge });
    expect(refused.status).toBe(413);
    expect((await readError(refused)).code).toBe("payload_too_large");
  });

  test("an Idempotency-Key replays the first answer, and refuses another body with 422", async () => {
    const headers = { "idempotency-key": "task-key-1" };
    const first = await send("POST", "/tasks", { auth: A, headers, body: { title: "Once" } });
    const again = await send("POST", "/tasks", { auth: A, headers, body: { title: "Once" } });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const other = await send("POST", "/tasks", { auth: A, headers, body: { title: "Twice" } });
    expect(other.status).toBe(422);
    expect((await readError(other)).code).toBe("idempotency_key_reused");
    expect(events()).toEqual([["task.created", "tenant-a", 1]]);
  });

  test("answers 401 without a token on every tasks route", async () => {
    for (const [method, path] of [
      ["POST", "/tasks"],
      ["GET", "/tasks"],
      ["GET", "/tasks/x"],
      ["PATCH", "/tasks/x"],
      ["POST", "/tasks/x/complete"],
      ["DELETE", "/tasks/x"],
    ] as const) {
      const response = await send(method, path, { body: { title: "t" } });
      expect(response.status).toBe(401);
      expect((await readError(response)).code).toBe("unauthorized");
    }
  });
});

describe("a task's life: update, complete, delete", () => {
  test("each change bumps the version and writes its event; completing twice writes one", async () => {
    const task = await createTask();
    const patched = await send("PATCH", `/tasks/${task.id}`, {
      auth: A,
      body: { status: "in_progress", assignee: "user-7" },
    });
    expect(await patched.json()).toMatchObject({
      status: "in_progress",
      assignee: "user-7",
      version: 2,
    });
    const done = await send("POST", `/tasks/${task.id}/complete`, { auth: A });
    expect(await done.json()).toMatchObject({ status: "completed", version: 3 });
    const retry = await send("POST", `/tasks/${task.id}/complete`, { auth: A });
    expect(await retry.json()).toMatchObject({ status: "completed", version: 3 });
    expect((await send("DELETE", `/tasks/${task.id}`, { auth: A })).status).toBe(204);
    expect((await send("GET", `/tasks/${task.id}`, { auth: A })).status).toBe(404);
    expect(events()).toEqual([
      ["task.created", "tenant-a", 1],
      ["task.updated", "tenant-a", 2],
      ["task.completed", "tenant-a", 3],
      ["task.deleted", "tenant-a", 4],
    ]);
  });

  test("each write answer carries an X-Mesh-Token naming the tasks collection, the task and the version written", async () => {
    const tokenOf = (response: Response) => {
      const decoded = decodeConsistencyToken(response.headers.get("x-mesh-token") ?? "", [
        DEV_MESH_TOKEN_KEY,
      ]);
      if (!decoded.ok) throw new Error(`no consistency token: ${decoded.reason}`);
      return decoded.target;
    };
    const target = { tenantId: "tenant-a", collection: "tasks" };
    const created = await send("POST", "/tasks", { auth: A, body: { title: "Token" } });
    const task = v.parse(TaskSchema, await created.json());
    expect(tokenOf(created)).toEqual({ ...target, entityId: task.id, version: 1, deleted: false });
    const patched = await send("PATCH", `/tasks/${task.id}`, { auth: A, body: { title: "T2" } });
    expect(tokenOf(patched)).toMatchObject({ entityId: task.id, version: 2, deleted: false });
    const done = await send("POST", `/tasks/${task.id}/complete`, { auth: A });
    expect(tokenOf(done)).toMatchObject({ version: 3, deleted: false });
    const deleted = await send("DELETE", `/tasks/${task.id}`, { auth: A });
    expect(tokenOf(deleted)).toEqual({ ...target, entityId: task.id, version: 4, deleted: true });
  });

  test("null unassigns; an empty patch or status completed is a 400", async () => {
    const task = await createTask({ title: "T", assignee: "user-1" });
    const cleared = await send("PATCH", `/tasks/${task.id}`, { auth: A, body: { assignee: null } });
    expect(await cleared.json()).toMatchObject({ assignee: null, version: 2 });
    for (const body of [{}, { status: "completed" }]) {
      const response = await send("PATCH", `/tasks/${task.id}`, { auth: A, body });
      expect(response.status).toBe(400);
    }
  });
});

describe("tenant isolation", () => {
  test("another tenant's task is 404 on every route, exactly like a missing one, and unchanged", async () => {
    const task = await createTask();
    const missing = await readError(await send("GET", "/tasks/no-such-task", { auth: B }));
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { title: "Mine now" }],
      ["DELETE", undefined],
    ] as const) {
      const response = await send(method, `/tasks/${task.id}`, { auth: B, body });
      expect(response.status).toBe(404);
      expect(await readError(response)).toEqual(missing);
    }
    expect((await send("POST", `/tasks/${task.id}/complete`, { auth: B })).status).toBe(404);
    const listed = v.parse(TaskPageSchema, await (await send("GET", "/tasks", { auth: B })).json());
    expect(listed.tasks).toEqual([]);
    expect(await (await send("GET", `/tasks/${task.id}`, { auth: A })).json()).toEqual(task);
  });

  test("lists the tenant's tasks oldest first, page by page", async () => {
    const made = [];
    for (const title of ["one", "two", "three"]) made.push(await createTask({ title }));
    await createTask({ title: "other tenant's" }, B);
    const first = v.parse(
      TaskPageSchema,
      await (await send("GET", "/tasks?limit=2", { auth: A })).json(),
    );
    expect(first.tasks.map((t) => t.title)).toEqual(["one", "two"]);
    const rest = await send("GET", `/tasks?limit=2&cursor=${first.nextCursor}`, { auth: A });
    expect(v.parse(TaskPageSchema, await rest.json())).toEqual({
      tasks: made.slice(2),
      nextCursor: null,
    });
  });
});

describe("assignee checked against user-service", () => {
  let users: SqliteUserStore;
  let server: ReturnType<typeof Bun.serve>;
  let userId: string;

  beforeAll(async () => {
    users = new SqliteUserStore(":memory:");
    const userApp = createUserApp({
      store: users,
      sink: { name: "test", probe: async () => {} },
      logger: silent(),
      metrics: createMetrics({ namespace: "user_service" }),
      auth: { mode: "dev" },
    });
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: userApp.fetch });
    const created = await userApp.request("/users", {
      method: "POST",
      headers: { authorization: A, "content-type": "application/json" },
      body: JSON.stringify({ email: "ann@a.dev", name: "Ann" }),
    });
    userId = v.parse(v.object({ id: v.string() }), await created.json()).id;
  });

  afterAll(async () => {
    await server.stop(true);
    users.close();
  });

  test("a user of the caller's tenant can be assigned, on create and on update", async () => {
    open({ checkAssignee: userServiceAssignees(server.url.origin) });
    const task = await createTask({ title: "T", assignee: userId });
    expect(task.assignee).toBe(userId);
    const patched = await send("PATCH", `/tasks/${task.id}`, {
      auth: A,
      body: { assignee: userId },
    });
    expect(patched.status).toBe(200);
  });

  test("another tenant's user or an unknown id answers 400 naming assignee, storing nothing", async () => {
    open({ checkAssignee: userServiceAssignees(server.url.origin) });
    for (const [auth, assignee] of [
      [B, userId],
      [A, "no-such-user"],
    ] as const) {
      const response = await send("POST", "/tasks", { auth, body: { title: "T", assignee } });
      expect(response.status).toBe(400);
      expect((await readError(response)).details).toEqual([
        { path: "assignee", message: "is not a user of this tenant" },
      ]);
    }
    expect(events()).toEqual([]);
  });

  test("user-service unreachable: 503 naming it, and nothing stored", async () => {
    open({ checkAssignee: userServiceAssignees("http://127.0.0.1:9") });
    const response = await send("POST", "/tasks", {
      auth: A,
      body: { title: "T", assignee: userId },
    });
    expect(response.status).toBe(503);
    expect((await readError(response)).details).toEqual({ dependency: "user-service" });
    expect(events()).toEqual([]);
  });
});

describe("operations", () => {
  test("health, readiness, task_service_ metrics, OpenAPI, /docs and /asyncapi", async () => {
    await createTask();
    expect((await send("GET", "/healthz")).status).toBe(200);
    expect(await (await send("GET", "/readyz")).json()).toMatchObject({ status: "ready" });
    expect(await (await send("GET", "/metrics")).text()).toContain(
      'task_service_http_requests_total{method="POST",route="/tasks",status="201"} 1',
    );
    const spec = (await (await send("GET", "/openapi.json")).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/tasks", "/tasks/{id}", "/tasks/{id}/complete"]),
    );
    for (const page of ["/docs", "/asyncapi"]) expect((await send("GET", page)).status).toBe(200);
    const asyncapi = await (await send("GET", "/asyncapi.json")).json();
    expect(JSON.stringify(asyncapi)).toContain("task-service publishes to task.events.");
  });
});

describe("erasure: DELETE /admin/tenants/{id}, GET /admin/erasures/{tenant}, POST /admin/tenants", () => {
  const OPERATOR = "task-operator-credential-of-32-chars!";
  const auth = `Bearer ${OPERATOR}`;
  const withOperator = () => open({ operator: { token: OPERATOR } });

  test("an operator erases the tenant's tasks; its writes are 410 until provisioned again; others untouched", async () => {
    withOperator();
    const mine = await createTask();
    const theirs = await createTask({ title: "Theirs" }, B);
    const erased = await send("DELETE", "/admin/tenants/tenant-a", { auth });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ tenantId: "tenant-a", counts: { tasks: 1 } });
    expect((await send("GET", `/tasks/${mine.id}`, { auth: A })).status).toBe(404);
    const refused = await send("POST", "/tasks", { auth: A, body: { title: "Again" } });
    expect(refused.status).toBe(410);
    expect((await readError(refused)).code).toBe("tenant_erased");
    expect((await send("GET", `/tasks/${theirs.id}`, { auth: B })).status).toBe(200);
    expect(events()).toEqual([["task.created", "tenant-b", 1]]);
    const record = await send("GET", "/admin/erasures/tenant-a", { auth });
    expect(await record.json()).toMatchObject({ requestedBy: "OPERATOR_TOKEN" });
    const provision = await send("POST", "/admin/tenants", {
      auth,
      body: { tenantId: "tenant-a" },
    });
    expect(provision.status).toBe(204);
    await createTask({ title: "Back" });
  });

  test("a tenant's token is 403 and erases nothing; a bad id is a 400 naming it", async () => {
    withOperator();
    const mine = await createTask();
    expect((await send("DELETE", "/admin/tenants/tenant-a", { auth: A })).status).toBe(403);
    expect((await send("GET", `/tasks/${mine.id}`, { auth: A })).status).toBe(200);
    const bad = await send("POST", "/admin/tenants", { auth, body: { tenantId: "NO" } });
    expect(bad.status).toBe(400);
    expect((await readError(bad)).details).toEqual([
      { path: "tenantId", message: expect.any(String) },
    ]);
  });
});
