/** task-service's API as a client sees it, with a dev token of the given tenant. */
import { request } from "./api.ts";

/** A task as task-service returns it. */
export interface Task {
  id: string;
  tenantId: string;
  title: string;
  status: string;
  assignee: string | null;
  version: number;
}

function isTask(value: unknown): value is Task {
  if (typeof value !== "object" || value === null) return false;
  return ["id", "tenantId", "title", "status"].every(
    (key) => typeof Reflect.get(value, key) === "string",
  );
}

/** One call that must answer `expected` with a task. */
async function taskCall(
  method: string,
  url: string,
  tenant: string,
  expected: number,
  body?: unknown,
): Promise<Task> {
  const { status, json } = await request(method, url, tenant, body);
  if (status !== expected || !isTask(json)) {
    throw new Error(
      `${method} ${new URL(url).pathname} answered ${status}: ${JSON.stringify(json)}`,
    );
  }
  return json;
}

/** POST /tasks; fails unless 201. */
export const createTask = (tasksUrl: string, tenant: string, body: Record<string, unknown>) =>
  taskCall("POST", `${tasksUrl}/tasks`, tenant, 201, body);

/** PATCH /tasks/{id}; fails unless 200. */
export const updateTask = (tasksUrl: string, tenant: string, id: string, patch: object) =>
  taskCall("PATCH", `${tasksUrl}/tasks/${id}`, tenant, 200, patch);

/** POST /tasks/{id}/complete; fails unless 200. */
export const completeTask = (tasksUrl: string, tenant: string, id: string) =>
  taskCall("POST", `${tasksUrl}/tasks/${id}/complete`, tenant, 200);

/** DELETE /tasks/{id}: the status (204, or 404 for a missing or other tenant's task). */
export async function deleteTask(tasksUrl: string, tenant: string, id: string): Promise<number> {
  return (await request("DELETE", `${tasksUrl}/tasks/${id}`, tenant)).status;
}

/** Creates `count` tasks titled `Task <n> <tenant>` (n from `from`), 8 requests in flight. */
export async function createManyTasks(tasksUrl: string, tenant: string, count: number, from = 0) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = from + next++;
      await createTask(tasksUrl, tenant, { title: `Task ${n} ${tenant}` });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** How many tasks the tenant has, following the cursor. */
export async function countTasks(tasksUrl: string, tenant: string): Promise<number> {
  let total = 0;
  let cursor: unknown = null;
  do {
    const query = typeof cursor === "string" ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const { status, json } = await request("GET", `${tasksUrl}/tasks?limit=100${query}`, tenant);
    const page = json as { tasks?: unknown; nextCursor?: unknown } | null;
    if (status !== 200 || !Array.isArray(page?.tasks)) {
      throw new Error(`GET /tasks answered ${status}: ${JSON.stringify(json)}`);
    }
    total += page.tasks.filter(isTask).length;
    cursor = page.nextCursor;
  } while (typeof cursor === "string");
  return total;
}
