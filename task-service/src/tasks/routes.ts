import { idempotentRequest, type ProducerEnv } from "@event-mesh/outbox-kit";
import {
  consistencyTokenDoc,
  errorResponse,
  IdempotencyKeyHeaders,
  jsonBody,
  jsonContent,
  PageQuery,
  setConsistencyToken,
  validate,
} from "@event-mesh/service-kit";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import type { AssigneeCheck } from "../assignees.ts";
import { idempotencyKeyReused, taskNotFound } from "../errors.ts";
import type { Task, TaskStore } from "../store/index.ts";
import { CreateTaskBody, TaskPageSchema, TaskSchema, UpdateTaskBody } from "./schemas.ts";

const storeDown = errorResponse(
  "The store (or user-service, checking an assignee) is unavailable; retry after `Retry-After` seconds",
);
const missing = errorResponse("No such task in the caller's tenant");
const badAssignee = "`assignee` must be a user of the caller's tenant (400 naming it otherwise)";
const taskResponse = (description: string) => ({
  description,
  headers: consistencyTokenDoc,
  content: jsonContent(TaskSchema),
});
/** The part of a stored answer a token names. */
const Written = v.object({ id: v.string(), version: v.number() });
/** What a write answer's `X-Mesh-Token` names: search with `after=` waits until it is stored. */
const taskWrite = (tenantId: string, task: { id: string; version: number }, deleted = false) => ({
  tenantId,
  collection: "tasks",
  entityId: task.id,
  version: task.version,
  deleted,
});

/** The tasks resource. The tenant always comes from the token, never from the request. */
export function tasksRoutes(store: TaskStore, checkAssignee: AssigneeCheck): Hono<ProducerEnv> {
  const app = new Hono<ProducerEnv>();

  app.post(
    "/tasks",
    describeRoute({
      tags: ["tasks"],
      summary: "Create a task",
      description: `Writes the task and its \`task.created\` event in one transaction. ${badAssignee}. With an \`Idempotency-Key\`, a retry with the same body returns the first answer.`,
      responses: {
        201: taskResponse("Created"),
        422: errorResponse("Idempotency-Key reused with another body"),
        503: storeDown,
      },
    }),
    validate("header", IdempotencyKeyHeaders),
    jsonBody({ schema: CreateTaskBody }),
    validate("json", CreateTaskBody),
    async (c) => {
      const { tenantId } = c.get("auth");
      const body = c.req.valid("json");
      if (body.assignee !== null)
        await checkAssignee(body.assignee, c.req.header("authorization") ?? "");
      const idempotency = idempotentRequest(c.req.valid("header")["idempotency-key"], [
        body.title,
        body.description,
        body.status,
        body.assignee,
      ]);
      const time = new Date().toISOString();
      const task: Task = {
        id: Bun.randomUUIDv7(),
        tenantId,
        ...body,
        createdAt: time,
        updatedAt: time,
        version: 1,
      };
      const result = await store.create(tenantId, task, idempotency);
      if (!result.ok) throw idempotencyKeyReused();
      if (result.replayed) c.header("Idempotent-Replayed", "true");
      // A replay answers the first create's task, so its token names that write.
      const written = v.safeParse(Written, result.body);
      if (written.success) setConsistencyToken(c, taskWrite(tenantId, written.output));
      return c.json(result.body, 201);
    },
  );

  app.get(
    "/tasks",
    describeRoute({
      tags: ["tasks"],
      summary: "List the tenant's tasks, oldest first",
      responses: {
        200: { description: "A page", content: jsonContent(TaskPageSchema) },
        503: storeDown,
      },
    }),
    validate("query", PageQuery),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const page = await store.list(c.get("auth").tenantId, { limit, after: cursor });
      return c.json({ tasks: page.tasks, nextCursor: page.lastId ?? null });
    },
  );

  app.get(
    "/tasks/:id",
    describeRoute({
      tags: ["tasks"],
      summary: "Get a task",
      responses: { 200: taskResponse("The task"), 404: missing, 503: storeDown },
    }),
    async (c) => {
      const task = await store.get(c.get("auth").tenantId, c.req.param("id"));
      if (!task) throw taskNotFound();
      return c.json(task);
    },
  );

  app.patch(
    "/tasks/:id",
    describeRoute({
      tags: ["tasks"],
      summary: "Change a task's title, description, status and/or assignee",
      description: `Writes \`task.updated\`. ${badAssignee}; \`null\` unassigns. Setting \`open\` reopens a completed task.`,
      responses: { 200: taskResponse("The changed task"), 404: missing, 503: storeDown },
    }),
    jsonBody({ schema: UpdateTaskBody }),
    validate("json", UpdateTaskBody),
    async (c) => {
      const patch = c.req.valid("json");
      if (patch.assignee) await checkAssignee(patch.assignee, c.req.header("authorization") ?? "");
      const result = await store.update(c.get("auth").tenantId, c.req.param("id"), patch);
      if (!result.ok) throw taskNotFound();
      const { task } = result;
      setConsistencyToken(c, taskWrite(task.tenantId, task));
      return c.json(task);
    },
  );

  app.post(
    "/tasks/:id/complete",
    describeRoute({
      tags: ["tasks"],
      summary: "Complete a task",
      description:
        "Sets the status to `completed` and writes `task.completed`. Completing a completed task answers it as it is, with no new event, so a retry is harmless.",
      responses: { 200: taskResponse("The completed task"), 404: missing, 503: storeDown },
    }),
    async (c) => {
      const result = await store.complete(c.get("auth").tenantId, c.req.param("id"));
      if (!result.ok) throw taskNotFound();
      const { task } = result;
      setConsistencyToken(c, taskWrite(task.tenantId, task));
      return c.json(task);
    },
  );

  app.delete(
    "/tasks/:id",
    describeRoute({
      tags: ["tasks"],
      summary: "Delete a task",
      description: "Writes `task.deleted`; the gateway removes the task from search.",
      responses: {
        204: { description: "Deleted", headers: consistencyTokenDoc },
        404: missing,
        503: storeDown,
      },
    }),
    async (c) => {
      const { tenantId } = c.get("auth");
      const id = c.req.param("id");
      const version = await store.delete(tenantId, id);
      if (version === undefined) throw taskNotFound();
      setConsistencyToken(c, taskWrite(tenantId, { id, version }, true));
      return c.body(null, 204);
    },
  );

  return app;
}
