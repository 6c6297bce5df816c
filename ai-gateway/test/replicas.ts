import { expect } from "bun:test";
/**
 * Helpers of the gateway replica tests (replicas.test.ts, replica-drill.test.ts): the Qdrant
 * double as the store replicas share, and "the whole truth" as one gateway answers it.
 */
import { search, type User } from "../../test/e2e/api.ts";
import { eventually } from "../../test/e2e/stack.ts";
import { QdrantDouble } from "./qdrant-double.ts";
import { QdrantSchema } from "./qdrant-schema.ts";

const schema = QdrantSchema.load();

/** False where Qdrant's schema file is absent: tests that need the double skip. */
export const hasQdrantDouble = schema !== null;

const started: QdrantDouble[] = [];

/**
 * A started Qdrant double, or null where Qdrant's schema file is absent (tests then skip).
 * `stopQdrantDoubles` (in an afterEach) stops every double started since its last call.
 */
export function qdrantDouble(): QdrantDouble | null {
  if (!schema) return null;
  const double = new QdrantDouble(schema).start();
  started.push(double);
  return double;
}

/** Stops the doubles `qdrantDouble` started. */
export function stopQdrantDoubles(): void {
  for (const double of started.splice(0)) double.stop();
}

/** `{ id → name }` of every user point the gateway returns for the tenant (at most 100). */
export async function indexedNames(gatewayUrl: string, tenant: string) {
  const hits = await search(gatewayUrl, tenant, "person", 100);
  return Object.fromEntries(hits.map((hit) => [hit.id, hit.data.name]));
}

/** `{ id → name }` of the users the source holds. */
export function sourceNames(users: readonly User[]) {
  return Object.fromEntries(users.map((user) => [user.id, user.name]));
}

/**
 * Waits until the gateway answers exactly the source's users, each at its latest name, and no
 * deleted one; fails with what it answered last.
 */
export async function answersWholeTruth(
  gatewayUrl: string,
  tenant: string,
  users: readonly User[],
  explain: () => string,
  deadlineMs = 90_000,
): Promise<void> {
  const want = sourceNames(users);
  let last: Record<string, unknown> = {};
  await eventually(
    `${gatewayUrl} to answer the ${users.length} users of ${tenant} at their latest version`,
    async () => {
      last = await indexedNames(gatewayUrl, tenant);
      return Bun.deepEquals(last, want) ? true : undefined;
    },
    deadlineMs,
    () => `${explain()}\nlast answer: ${JSON.stringify(last).slice(0, 600)}`,
  );
  expect(last).toEqual(want);
}
