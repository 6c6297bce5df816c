/**
 * The tasks flow, the same on every transport: tasks of two tenants become searchable by their
 * words, neither tenant sees the other's, an update changes the hit, completing is indexed, a
 * delete removes it, and an assignee must be a user of the caller's tenant.
 */
import { expect } from "bun:test";
import { createUser, type Hit, search, userPoints } from "./api.ts";
import { eventually, type Running, tail } from "./stack.ts";
import { completeTask, createTask, deleteTask, updateTask } from "./task-api.ts";

/** Runs the flow against a started stack; every wait polls with a deadline. */
export async function checkTaskFlow(stack: { users: Running; tasks: Running; gateway: Running }) {
  const { users, tasks, gateway } = stack;
  const run = crypto.randomUUID().slice(0, 6);
  const acme = `acme-${run}`;
  const globex = `globex-${run}`;
  const explain = () => tail([tasks, gateway]);
  const hits = (tenant: string, q: string, check: (found: Hit[]) => boolean) =>
    eventually(
      `"${q}" in ${tenant}'s tasks`,
      async () => {
        const found = await search(gateway.url, tenant, q, 5, -1, "tasks");
        return check(found) ? found : undefined;
      },
      60_000,
      explain,
    );

  const alice = await createUser(users.url, acme, { name: "Alice A", email: "alice@acme.dev" });
  const vat = await createTask(tasks.url, acme, {
    title: "File the VAT return",
    description: "Quarterly tax paperwork",
    assignee: alice.id,
  });
  const guide = await createTask(tasks.url, acme, { title: "Write the onboarding guide" });
  const theirs = await createTask(tasks.url, globex, { title: "File the VAT return" });

  // Each task is found by its words, in its own tenant only.
  await hits(acme, "VAT return", (found) => found[0]?.id === vat.id);
  await hits(acme, "onboarding guide", (found) => found[0]?.id === guide.id);
  const globexHits = await hits(globex, "VAT return", (found) => found[0]?.id === theirs.id);
  expect(globexHits.map((hit) => hit.id)).toEqual([theirs.id]);

  // Another tenant's user cannot be assigned; another tenant's task cannot be deleted.
  await expect(createTask(tasks.url, globex, { title: "x", assignee: alice.id })).rejects.toThrow(
    "answered 400",
  );
  expect(await deleteTask(tasks.url, globex, vat.id)).toBe(404);

  // An update changes the hit; completing is indexed with its status; a delete removes it.
  await updateTask(tasks.url, acme, guide.id, { title: "Write the search guide" });
  await hits(acme, "search guide", (found) => found[0]?.data.title === "Write the search guide");
  await completeTask(tasks.url, acme, vat.id);
  await hits(acme, "VAT return", (found) => found[0]?.data.status === "completed");
  expect(await deleteTask(tasks.url, acme, guide.id)).toBe(204);
  await hits(acme, "search guide", (found) => !found.some((hit) => hit.id === guide.id));
  expect(await userPoints(gateway.url, acme, "tasks")).toBe(1);
  expect(await userPoints(gateway.url, globex, "tasks")).toBe(1);
}
