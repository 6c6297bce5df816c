/**
 * Read-your-writes as a client does it: create a user, then at once search for it, with the
 * create's X-Mesh-Token (`after=`) or without. Each run uses a tenant of its own, so a search
 * finds the user iff its write is stored, whatever else the stack holds.
 */

/** What a series of create-then-search runs saw. */
export interface RywOutcome {
  runs: number;
  found: number;
  missed: number;
  /** Answers other than 200 (status and problem), with the run's tenant. */
  failures: string[];
}

const headers = (tenant: string) => ({
  authorization: `Bearer ${tenant}:e2e-user`,
  "content-type": "application/json",
});

/** One run: POST /users, then GET /search (with the token when `withToken`). */
async function run(
  usersUrl: string,
  gatewayUrl: string,
  tenant: string,
  withToken: boolean,
): Promise<"found" | "missed" | string> {
  const name = `Rywa ${tenant}`;
  const created = await fetch(`${usersUrl}/users`, {
    method: "POST",
    headers: headers(tenant),
    body: JSON.stringify({ name, email: `rywa@${tenant}.dev` }),
    signal: AbortSignal.timeout(30_000),
  });
  const user = (await created.json()) as { id?: unknown };
  const token = created.headers.get("x-mesh-token");
  if (created.status !== 201 || typeof user.id !== "string" || !token)
    return `create answered ${created.status} (token ${token === null ? "missing" : "set"})`;
  const after = withToken ? `&after=${token}` : "";
  const found = await fetch(
    `${gatewayUrl}/search?type=users&limit=5&q=${encodeURIComponent(name)}${after}`,
    { headers: headers(tenant), signal: AbortSignal.timeout(30_000) },
  );
  const body = (await found.json()) as { hits?: { id: string }[] };
  if (found.status !== 200 || !Array.isArray(body.hits))
    return `search answered ${found.status}: ${JSON.stringify(body)}`;
  return body.hits.some((hit) => hit.id === user.id) ? "found" : "missed";
}

/** `runs` create-then-search runs, `concurrency` at a time, tenants `ryw-<label>-<n>`. */
export async function readYourWrites(
  urls: { users: string; gateway: string },
  runs: number,
  options: { withToken: boolean; label: string; concurrency?: number },
): Promise<RywOutcome> {
  const outcome: RywOutcome = { runs, found: 0, missed: 0, failures: [] };
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const tenant = `ryw-${options.label}-${next++}`;
      const result = await run(urls.users, urls.gateway, tenant, options.withToken);
      if (result === "found") outcome.found++;
      else if (result === "missed") outcome.missed++;
      else outcome.failures.push(`${tenant}: ${result}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return outcome;
}
