/**
 * The HTTP API as a client sees it: user-service routes and the gateway's search and stats,
 * called with a dev token of the given tenant. Answers are checked, never cast blindly.
 */

/** A user as user-service returns it. */
export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  version: number;
}

/** A search hit as ai-gateway returns it. */
export interface Hit {
  id: string;
  score: number;
  data: Record<string, unknown>;
}

const headers = (tenant: string) => ({
  authorization: `Bearer ${tenant}:e2e-user`,
  "content-type": "application/json",
});

function isUser(value: unknown): value is User {
  if (typeof value !== "object" || value === null) return false;
  return ["id", "tenantId", "email", "name"].every(
    (key) => typeof Reflect.get(value, key) === "string",
  );
}

/** One call with the tenant's dev token; the status and the parsed JSON answer. */
export async function request(
  method: string,
  url: string,
  tenant: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: headers(tenant),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** POST /users; fails unless the answer is 201 with a user. */
export async function createUser(
  usersUrl: string,
  tenant: string,
  user: { name: string; email: string },
): Promise<User> {
  const { status, json } = await request("POST", `${usersUrl}/users`, tenant, user);
  if (status !== 201 || !isUser(json)) {
    throw new Error(`POST /users answered ${status}: ${JSON.stringify(json)}`);
  }
  return json;
}

/**
 * Creates `count` users named `Person <n> <tenant>` (n from `from`) with `concurrency` requests in flight;
 * `onCreated` sees the running total (a test can crash a process part-way).
 */
export async function createMany(
  usersUrl: string,
  tenant: string,
  count: number,
  options: {
    concurrency?: number;
    /** Number of the first user (names and e-mails must differ between calls). */
    from?: number;
    onCreated?: (total: number) => Promise<void> | void;
  } = {},
): Promise<User[]> {
  const users: User[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = (options.from ?? 0) + next++;
      const user = await createUser(usersUrl, tenant, {
        name: `Person ${n} ${tenant}`,
        email: `person-${n}@${tenant}.dev`,
      });
      users.push(user);
      await options.onCreated?.(users.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return users;
}

/** PATCH /users/{id}; fails unless 200. */
export async function renameUser(usersUrl: string, tenant: string, id: string, name: string) {
  const { status, json } = await request("PATCH", `${usersUrl}/users/${id}`, tenant, { name });
  if (status !== 200 || !isUser(json))
    throw new Error(`PATCH answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** DELETE /users/{id}; fails unless 204. */
export async function deleteUser(usersUrl: string, tenant: string, id: string): Promise<void> {
  const { status, json } = await request("DELETE", `${usersUrl}/users/${id}`, tenant);
  if (status !== 204) throw new Error(`DELETE answered ${status}: ${JSON.stringify(json)}`);
}

/** GET /users/{id}: the status only (200, or 404 for a missing or other tenant's user). */
export async function getUserStatus(usersUrl: string, tenant: string, id: string) {
  return (await request("GET", `${usersUrl}/users/${id}`, tenant)).status;
}

/** Every user of the tenant, following the cursor. */
export async function listUsers(usersUrl: string, tenant: string): Promise<User[]> {
  const all: User[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const { status, json } = await request("GET", `${usersUrl}/users?limit=100${query}`, tenant);
    const page = json as { users?: unknown; nextCursor?: unknown } | null;
    if (status !== 200 || !page || !Array.isArray(page.users)) {
      throw new Error(`GET /users answered ${status}: ${JSON.stringify(json)}`);
    }
    all.push(...page.users.filter(isUser));
    cursor = typeof page.nextCursor === "string" ? page.nextCursor : null;
  } while (cursor);
  return all;
}

/** GET /search in the tenant's users (or tasks); `mode` unset: the gateway's default (hybrid). */
export async function search(
  gatewayUrl: string,
  tenant: string,
  q: string,
  limit = 5,
  minScore?: number,
  type: "users" | "tasks" = "users",
  mode?: "hybrid" | "vector" | "keyword",
) {
  const floor = minScore === undefined ? "" : `&minScore=${minScore}`;
  const by = mode === undefined ? "" : `&mode=${mode}`;
  const url = `${gatewayUrl}/search?type=${type}&limit=${limit}&q=${encodeURIComponent(q)}${floor}${by}`;
  const { status, json } = await request("GET", url, tenant);
  const hits = (json as { hits?: unknown } | null)?.hits;
  if (status !== 200 || !Array.isArray(hits)) {
    throw new Error(`GET /search answered ${status}: ${JSON.stringify(json)}`);
  }
  return hits as Hit[];
}

/** GET /stats: the number of `users` (or `tasks`) points the gateway holds for the tenant. */
export async function userPoints(
  gatewayUrl: string,
  tenant: string,
  collection: "users" | "tasks" = "users",
): Promise<number> {
  const { status, json } = await request("GET", `${gatewayUrl}/stats`, tenant);
  const points = (json as { points?: Record<string, unknown> } | null)?.points?.[collection];
  if (status !== 200 || typeof points !== "number") {
    throw new Error(`GET /stats answered ${status}: ${JSON.stringify(json)}`);
  }
  return points;
}
