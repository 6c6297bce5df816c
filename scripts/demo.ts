// `bun run demo`: walks a running stack (`bun run dev`) through the whole flow over HTTP and
// exits 0 only if every step behaved as shown. Tenants are fresh for each run, so the demo
// works on kept data too.
import { describeProblem } from "../service-kit/src/problem.ts";

const usersUrl = process.env.USER_SERVICE_URL ?? "http://127.0.0.1:3000";
const gatewayUrl = process.env.AI_GATEWAY_URL ?? "http://127.0.0.1:3001";
const tasksUrl = process.env.TASK_SERVICE_URL ?? "http://127.0.0.1:3002";
const run = crypto.randomUUID().slice(0, 6);
const acme = `acme-${run}`;
const globex = `globex-${run}`;

interface User {
  id: string;
  name: string;
  email: string;
}
interface Hit {
  id: string;
  score: number;
  data: { name?: string; title?: string; status?: string };
}
interface Task {
  id: string;
  title: string;
}

let step = 0;
function say(line: string) {
  console.log(`\n${++step}. ${line}`);
}
function ok(line: string) {
  console.log(`   ✓ ${line}`);
}
function fail(line: string): never {
  console.error(`   ✗ ${line}`);
  process.exit(1);
}

async function call(
  method: string,
  url: string,
  tenant: string,
  body?: unknown,
): Promise<Response> {
  try {
    return await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${tenant}:demo-user`, "Content-Type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
  } catch (error) {
    fail(`${method} ${url}: ${String(error)} — is the stack running (bun run dev)?`);
  }
}

async function createUser(tenant: string, name: string): Promise<User> {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}@${tenant}.dev`;
  const response = await call("POST", `${usersUrl}/users/create`, tenant, { email, name });
  if (response.status !== 201) fail(`create ${name}: ${await describeProblem(response)}`);
  const user = (await response.json()) as User;
  ok(`${tenant}: created ${name} <${email}> (id ${user.id})`);
  return user;
}

async function search(tenant: string, q: string, type = "users"): Promise<Hit[]> {
  const url = `${gatewayUrl}/search?type=${type}&limit=5&q=${encodeURIComponent(q)}`;
  const response = await call("GET", url, tenant);
  if (!response.ok) fail(`search "${q}": ${await describeProblem(response)}`);
  return ((await response.json()) as { hits: Hit[] }).hits;
}

/** Polls a search until `check` holds: the pipeline is asynchronous, so allow it a deadline. */
async function eventually(
  tenant: string,
  q: string,
  check: (hits: Hit[]) => boolean,
  type = "users",
): Promise<Hit[]> {
  const end = Date.now() + 15_000;
  let hits: Hit[] = [];
  while (Date.now() < end) {
    hits = await search(tenant, q, type);
    if (check(hits)) return hits;
    await Bun.sleep(100);
  }
  fail(`search "${q}" as ${tenant} never showed the expected result; got ${JSON.stringify(hits)}`);
}

function show(hits: Hit[]): string {
  const label = (h: Hit) => h.data.name ?? (h.data.title && `${h.data.title} [${h.data.status}]`);
  return hits.map((h) => `${label(h) ?? h.id} (${h.score.toFixed(2)})`).join(", ") || "no hits";
}

say(`Create users in two tenants, ${acme} and ${globex}, through user-service`);
const alice = await createUser(acme, "Alice Johnson");
const bob = await createUser(acme, "Bob Martinez");
const carol = await createUser(acme, "Carol Nguyen");
const otherAlice = await createUser(globex, "Alice Johnson");
await createUser(globex, "Dave Smith");

say("Wait until each user is searchable in ai-gateway");
for (const [tenant, user] of [
  [acme, alice],
  [acme, bob],
  [acme, carol],
  [globex, otherAlice],
] as const) {
  const started = Date.now();
  await eventually(tenant, user.name, (hits) => hits[0]?.id === user.id);
  ok(`${user.name} is the top hit in ${tenant} after ${Date.now() - started} ms`);
}

say(`Search ${acme} for "Carol Nguyen"`);
let hits = await search(acme, "Carol Nguyen");
if (hits[0]?.id !== carol.id) fail(`expected Carol first, got ${show(hits)}`);
ok(show(hits));

say(`Search with a typo: "Bob Martinex"`);
hits = await search(acme, "Bob Martinex");
if (!hits.slice(0, 3).some((hit) => hit.id === bob.id)) fail(`Bob not in the top 3: ${show(hits)}`);
ok(show(hits));

say(`Tenant isolation: ${globex} searches for "Alice Johnson" and "Carol Nguyen"`);
hits = await search(globex, "Alice Johnson");
if (hits.some((hit) => hit.id === alice.id)) fail(`${globex} sees ${acme}'s Alice`);
if (hits[0]?.id !== otherAlice.id) fail(`${globex}'s own Alice is not first: ${show(hits)}`);
ok(`only ${globex}'s own Alice: ${show(hits)}`);
hits = await search(globex, "Carol Nguyen");
if (hits.some((hit) => hit.id === carol.id)) fail(`${globex} sees ${acme}'s Carol`);
ok(`no Carol for ${globex}: ${show(hits)}`);
const lookup = await call("GET", `${usersUrl}/users/${alice.id}`, globex);
if (lookup.status !== 404) fail(`GET another tenant's user answered ${lookup.status}, not 404`);
ok(`GET /users/${alice.id} as ${globex} → 404`);

say(`Rename Bob to "Robert Martinez"`);
const patched = await call("PATCH", `${usersUrl}/users/${bob.id}`, acme, {
  name: "Robert Martinez",
});
if (patched.status !== 200) fail(`PATCH: ${await describeProblem(patched)}`);
hits = await eventually(
  acme,
  "Robert Martinez",
  (found) => found[0]?.id === bob.id && found[0]?.data.name === "Robert Martinez",
);
ok(`top hit for "Robert Martinez": ${show(hits)}`);

say("Delete Carol");
const deleted = await call("DELETE", `${usersUrl}/users/${carol.id}`, acme);
if (deleted.status !== 204) fail(`DELETE: ${await describeProblem(deleted)}`);
hits = await eventually(acme, "Carol Nguyen", (found) => !found.some((hit) => hit.id === carol.id));
ok(`Carol is gone from search: ${show(hits)}`);

async function createTask(tenant: string, body: Record<string, string>): Promise<Task> {
  const response = await call("POST", `${tasksUrl}/tasks`, tenant, body);
  if (response.status !== 201) fail(`create task: ${response.status} ${await response.text()}`);
  const task = (await response.json()) as Task;
  ok(`${tenant}: task "${task.title}" (id ${task.id})`);
  return task;
}

say("Create tasks through task-service; one is assigned to Alice");
const vat = await createTask(acme, {
  title: "File the VAT return",
  description: "Quarterly tax paperwork for the accountant",
  assignee: alice.id,
});
const guide = await createTask(acme, {
  title: "Write the onboarding guide",
  description: "Explain sign-up and search to new customers",
});
const theirVat = await createTask(globex, { title: "File the VAT return", description: "" });
const foreign = await call("POST", `${tasksUrl}/tasks`, globex, { title: "x", assignee: alice.id });
if (foreign.status !== 400) fail(`assigning another tenant's user answered ${foreign.status}`);
ok(`${globex} cannot assign ${acme}'s Alice: 400`);

// The default (hashing) embedder matches words; with EMBEDDINGS_URL set to a model server the
// same search finds a task by meaning (see docs/search.md, "Embeddings").
say(`Search ${acme}'s tasks for "tax paperwork"`);
hits = await eventually(acme, "tax paperwork", (found) => found[0]?.id === vat.id, "tasks");
ok(show(hits));

say(`Tenant isolation: ${globex} searches its tasks for "VAT return"`);
hits = await eventually(globex, "VAT return", (found) => found[0]?.id === theirVat.id, "tasks");
if (hits.some((hit) => hit.id === vat.id)) fail(`${globex} sees ${acme}'s task`);
ok(`only ${globex}'s own task: ${show(hits)}`);

say("Complete the VAT task, delete the guide");
const completed = await call("POST", `${tasksUrl}/tasks/${vat.id}/complete`, acme);
if (completed.status !== 200) fail(`complete: ${completed.status} ${await completed.text()}`);
hits = await eventually(acme, "VAT", (found) => found[0]?.data.status === "completed", "tasks");
ok(`indexed as completed: ${show(hits)}`);
const gone = await call("DELETE", `${tasksUrl}/tasks/${guide.id}`, acme);
if (gone.status !== 204) fail(`DELETE task: ${gone.status} ${await gone.text()}`);
hits = await eventually(
  acme,
  "onboarding guide",
  (f) => !f.some((h) => h.id === guide.id),
  "tasks",
);
ok(`the guide is gone from search: ${show(hits)}`);

say("Read your writes: create Dana, then search at once with the create's X-Mesh-Token");
const dana = await call("POST", `${usersUrl}/users`, acme, {
  email: `dana.okafor@${acme}.dev`,
  name: "Dana Okafor",
});
const token = dana.headers.get("X-Mesh-Token");
if (dana.status !== 201 || !token) fail(`create Dana: ${await describeProblem(dana)}`);
const danaId = ((await dana.json()) as User).id;
ok(`201 with X-Mesh-Token ${token.slice(0, 16)}…`);
// No polling: the gateway holds the search until Dana's version is stored (SEARCH_WAIT_MAX_MS).
const fresh = await call(
  "GET",
  `${gatewayUrl}/search?type=users&limit=5&q=Dana%20Okafor&after=${token}`,
  acme,
);
if (!fresh.ok) fail(`search after the token: ${await describeProblem(fresh)}`);
hits = ((await fresh.json()) as { hits: Hit[] }).hits;
if (hits[0]?.id !== danaId) fail(`the first search did not find Dana: ${show(hits)}`);
ok(`the very first search finds her: ${show(hits)}`);

console.log("\nEvery step behaved as shown.");
