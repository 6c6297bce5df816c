/**
 * The user's flow, the same on every transport: users in two tenants become searchable by name,
 * neither tenant sees the other's, a rename changes the hit and a delete removes it.
 */
import { expect } from "bun:test";
import {
  createUser,
  deleteUser,
  getUserStatus,
  type Hit,
  renameUser,
  search,
  userPoints,
} from "./api.ts";
import { eventually, type Running, tail } from "./stack.ts";

/** Runs the flow against a started stack; every wait polls with a deadline. */
export async function checkUserFlow(stack: { users: Running; gateway: Running }): Promise<void> {
  const { users, gateway } = stack;
  const run = crypto.randomUUID().slice(0, 6);
  const acme = `acme-${run}`;
  const globex = `globex-${run}`;
  const explain = () => tail([users, gateway]);
  const topHit = (tenant: string, q: string, check: (hits: Hit[]) => boolean) =>
    eventually(
      `"${q}" in ${tenant}`,
      async () => {
        const hits = await search(gateway.url, tenant, q);
        return check(hits) ? hits : undefined;
      },
      60_000,
      explain,
    );

  const alice = await createUser(users.url, acme, {
    name: "Alice Johnson",
    email: "alice@acme.dev",
  });
  const bob = await createUser(users.url, acme, { name: "Bob Martinez", email: "bob@acme.dev" });
  const carol = await createUser(users.url, acme, {
    name: "Carol Nguyen",
    email: "carol@acme.dev",
  });
  const otherAlice = await createUser(users.url, globex, {
    name: "Alice Johnson",
    email: "alice@globex.dev",
  });
  const dave = await createUser(users.url, globex, {
    name: "Dave Smith",
    email: "dave@globex.dev",
  });

  // Each user becomes the top hit for its own name, in its own tenant.
  for (const [tenant, user] of [
    [acme, alice],
    [acme, bob],
    [acme, carol],
    [globex, otherAlice],
    [globex, dave],
  ] as const) {
    await topHit(tenant, user.name, (hits) => hits[0]?.id === user.id);
  }
  // One typo still finds the person.
  const typo = await search(gateway.url, acme, "Bob Martinex");
  expect(typo.slice(0, 3).map((hit) => hit.id)).toContain(bob.id);

  // Tenant isolation: globex sees only its own users, in search and in the users API.
  // No score floor and vector mode: every hit the store returns counts, however unrelated
  // (hybrid fuses only vector hits above the cosine floor).
  const globexHits = await search(
    gateway.url,
    globex,
    "Alice Johnson Carol Nguyen",
    10,
    -1,
    "users",
    "vector",
  );
  expect(globexHits.map((hit) => hit.id).sort()).toEqual([otherAlice.id, dave.id].sort());
  expect(await getUserStatus(users.url, globex, alice.id)).toBe(404);
  expect(await userPoints(gateway.url, acme)).toBe(3);
  expect(await userPoints(gateway.url, globex)).toBe(2);

  // A rename changes the hit.
  await renameUser(users.url, acme, bob.id, "Robert Martinez");
  await topHit(
    acme,
    "Robert Martinez",
    (hits) => hits[0]?.id === bob.id && hits[0]?.data.name === "Robert Martinez",
  );

  // A delete removes it, and nothing else.
  await deleteUser(users.url, acme, carol.id);
  await topHit(acme, "Carol Nguyen", (hits) => !hits.some((hit) => hit.id === carol.id));
  expect(await userPoints(gateway.url, acme)).toBe(2);
  expect(await userPoints(gateway.url, globex)).toBe(2);
}
