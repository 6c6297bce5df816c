/**
 * Reconciliation end to end: user-service and ai-gateway (embedded mode, HTTP delivery) as real
 * processes, the store tampered with while the gateway is stopped — a restored old backup, a
 * point deleted by hand, a forged higher version, a dropped delete — then `bun run reconcile`
 * reports each, a repair fixes each, and a second run reports zero drift.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { QdrantDouble } from "../../ai-gateway/test/qdrant-double.ts";
import { QdrantSchema } from "../../ai-gateway/test/qdrant-schema.ts";
import { createMany, createUser, deleteUser, renameUser, search, type User } from "./api.ts";
import {
  driftTotal,
  type Kind,
  type Report,
  reconcile,
  RECONCILE_TOKEN as TOKEN,
} from "./reconcile-api.ts";
import {
  qdrantDoubleHandle,
  type StoreHandle,
  sqliteHandle,
  userPoint,
} from "./reconcile-stores.ts";
import * as stack from "./stack.ts";

const A = "rec-a";
const B = "rec-b";

afterEach(stack.stopAll);

const ids = (kind: Kind | undefined) => (kind?.first ?? []).map((id) => id.split("/")[1]).sort();
const sorted = (...users: User[]) => users.map((u) => u.id).sort();

function scenario(name: string, handleFor: (config: stack.StackConfig) => StoreHandle) {
  test(`${name}: one run reports each drift, a repair fixes it, a second run reports zero`, async () => {
    const config = stack.stackConfig();
    const store = handleFor(config);
    const gatewayEnv = {
      ...store.env,
      OPERATOR_TOKEN: TOKEN,
      RECONCILE_SOURCES: `user-service=http://127.0.0.1:${config.userPort}`,
    };
    let gateway: stack.Running = await stack.startGateway(config, gatewayEnv);
    const users = await stack.startUserService(config, { OPERATOR_TOKEN: TOKEN });
    const usersUrl = `http://127.0.0.1:${users.port}`;
    const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    const explain = () => stack.tail([gateway, users]);
    const delivered = (tenant: string, expected: Record<string, number>) =>
      stack.eventually(
        `the gateway to store ${JSON.stringify(expected)}`,
        async () => {
          const got = Object.fromEntries(await store.versions(tenant));
          return Bun.deepEquals(got, expected) ? got : undefined;
        },
        60_000,
        explain,
      );

    const [u1, u2, u3, u4, u5, u6] = (await createMany(usersUrl, A, 6, { concurrency: 1 })).sort(
      (x, y) => x.id.localeCompare(y.id),
    ) as [User, User, User, User, User, User];
    const [other] = await createMany(usersUrl, B, 1);
    await deleteUser(usersUrl, A, u5.id);
    await delivered(A, { [u1.id]: 1, [u2.id]: 1, [u3.id]: 1, [u4.id]: 1, [u6.id]: 1 });
    await gateway.stop(10_000);
    store.backup();

    // After the backup: an update, a create and a delete the restored store will not have.
    gateway = await stack.startGateway(config, gatewayEnv);
    await renameUser(usersUrl, A, u1.id, "Renamed Person");
    const u7 = await createUser(usersUrl, A, { name: "Late Person", email: "late@rec-a.dev" });
    await deleteUser(usersUrl, A, u2.id);
    await delivered(A, { [u1.id]: 2, [u3.id]: 1, [u4.id]: 1, [u6.id]: 1, [u7.id]: 1 });
    await gateway.stop(10_000);

    store.restore();
    await store.edit(async (vectors) => {
      await vectors.purge("users", A, [u3.id]); // deleted by hand
      await vectors.write("users", {
        upserts: [userPoint({ ...u4, name: "Forged" }, 99)],
        deletes: [],
      });
      // The delete of u5 never arrived: its last live state is back.
      await vectors.purge("users", A, [u5.id]);
      await vectors.write("users", { upserts: [userPoint(u5, 1)], deletes: [] });
    });
    gateway = await stack.startGateway(config, gatewayEnv);

    // Only the operator: no token is a 401; a tenant's token or a wrong one a 403.
    const refusals: [string | undefined, number][] = [
      [undefined, 401],
      [`Bearer ${A}:admin`, 403],
      ["Bearer wrong-token-0123456789-abcdefghijkl", 403],
    ];
    for (const [authorization, status] of refusals) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization) headers.authorization = authorization;
      const refused = await fetch(`${gatewayUrl}/admin/reconcile`, {
        method: "POST",
        headers,
        body: "{}",
      });
      expect(refused.status).toBe(status);
      const snapshot = await fetch(`${usersUrl}/admin/snapshot?tenant=${A}`, { headers });
      expect(snapshot.status).toBe(status);
    }

    // `bun run reconcile --tenant rec-a`: prints the report, exits 1 on drift.
    // Not spawnSync: the Qdrant double answers the gateway from this process.
    const script = Bun.spawn(["bun", "scripts/reconcile.ts", "--tenant", A], {
      env: { ...process.env, GATEWAY_URL: gatewayUrl, OPERATOR_TOKEN: TOKEN },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr] = [
      await new Response(script.stdout).text(),
      await new Response(script.stderr).text(),
    ];
    expect(await script.exited).toBe(1);
    const printed = JSON.parse(stdout) as Report;
    const users0 = printed.collections.users;
    expect(ids(users0?.missing)).toEqual(sorted(u3, u7));
    expect(ids(users0?.stale)).toEqual(sorted(u1));
    expect(ids(users0?.orphaned)).toEqual(sorted(u2, u5));
    expect(ids(users0?.ahead)).toEqual(sorted(u4));
    expect(stderr).toContain("6 drifted entities");

    // Over every tenant: the other tenant has none; the drift gauge shows the run's counts.
    const full = await reconcile(gatewayUrl, {});
    expect(full.complete).toBe(true);
    expect(full.collections.users?.missing.count).toBe(2);
    const gauge = (kind: string) =>
      stack.metric({ url: gatewayUrl }, "ai_gateway_drift_entities", { kind, collection: "users" });
    expect(await gauge("orphaned")).toBe(2);
    expect(await gauge("ahead")).toBe(1);

    await reconcile(gatewayUrl, { repair: true });
    const clean = await stack.eventually(
      "a reconcile run with zero drift",
      async () => {
        const report = await reconcile(gatewayUrl, {});
        return driftTotal(report, "users") === 0 ? report : undefined;
      },
      60_000,
      explain,
    );
    expect(clean.complete).toBe(true);
    expect(await gauge("ahead")).toBe(0);
    // The store now says what the source says, the forged name is gone, the other tenant untouched.
    await delivered(A, { [u1.id]: 2, [u3.id]: 1, [u4.id]: 1, [u6.id]: 1, [u7.id]: 1 });
    expect(Object.fromEntries(await store.versions(B))).toEqual({ [other?.id ?? ""]: 1 });
    const hits = await search(gatewayUrl, A, u4.name, 10);
    expect(hits.find((hit) => hit.id === u4.id)?.data.name).toBe(u4.name);
    expect(hits.some((hit) => hit.data.name === "Forged")).toBe(false);
  }, 180_000);
}

describe("reconcile (sqlite-vec)", () => {
  scenario("sqlite-vec", (config) => sqliteHandle(config.gatewayDir));
});

const schema = QdrantSchema.load();
describe.skipIf(!schema)("reconcile (Qdrant double)", () => {
  const doubles: QdrantDouble[] = [];
  afterAll(() => {
    for (const double of doubles) double.stop();
  });
  scenario("Qdrant double", () => {
    const double = new QdrantDouble(schema as QdrantSchema).start();
    doubles.push(double);
    return qdrantDoubleHandle(double);
  });
  test("the double saw only schema-valid requests", () => {
    expect(doubles.flatMap((d) => d.problems)).toEqual([]);
  });
});
