import { afterEach, expect, test } from "bun:test";
import { encodeHttpBatch, makeEvent } from "@event-mesh/contracts";
import { encodeConsistencyToken } from "@event-mesh/service-kit";
import { spawnGateway } from "./gateway-process.ts";

const KEY = "the-drill-mesh-token-key-0123456789abcdef";
const FLOOD = 4_000;
const VICTIM_SEARCHES = 40;

const kills: (() => void)[] = [];
afterEach(() => {
  for (const kill of kills.splice(0)) kill();
});

/** A random 22-character signature: what an attacker without the key can put in a token. */
function guessedMac(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}

/**
 * The drill: one tenant floods a real gateway process with searches carrying forged `after`
 * tokens (invented entities and versions, altered ones, signed under a wrong key) while another
 * tenant searches. Bounded counts, no timing: every forged search must be refused (400 or 429)
 * rather than parked, and every one of the other tenant's searches answers 200.
 */
test(`${FLOOD} concurrent searches with forged tokens are all refused; another tenant's searches all answer 200`, async () => {
  const gateway = spawnGateway({
    MESH_TOKEN_KEYS: KEY,
    TENANT_LIMITS: "tenant-a:searchesPerSecond=5",
    SEARCH_WAIT_MAX_MS: "5000",
  });
  kills.push(() => gateway.child.kill());
  // Drained, so a full pipe never blocks the gateway.
  void new Response(gateway.child.stdout).text();
  void new Response(gateway.child.stderr).text();
  expect(await gateway.outcome).toBe("started");

  const { contentType, body } = encodeHttpBatch([
    makeEvent("user.created", {
      tenantId: "tenant-b",
      source: "urn:drill",
      version: 1,
      data: { id: "b-1", name: "Beatrix Bauer", email: "bea@tenant-b.dev", tenantId: "tenant-b" },
    }),
  ]);
  const ingested = await fetch(`${gateway.url}/events`, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": contentType },
    body,
  });
  expect(ingested.status).toBe(200);

  const altered = encodeConsistencyToken(
    { tenantId: "tenant-a", collection: "users", entityId: "a-1", version: 1, deleted: false },
    [KEY],
  ).replace(".1.0.", ".7.0.");
  const wrongKey = encodeConsistencyToken(
    { tenantId: "tenant-a", collection: "users", entityId: "nosuch", version: 9, deleted: false },
    ["an-attacker-s-own-key-0123456789abcdefgh"],
  );
  // Invented (a guessed signature), altered, signed under the attacker's own key, and the
  // unsigned layout tokens had before they were signed.
  const forged = [
    (i: number) => `m2.tenant-a.users.nosuch-${i}.999999999999999.0.${guessedMac()}`,
    () => altered,
    () => wrongKey,
    (i: number) => `m1.tenant-a.users.nosuch-${i}.999999999999999.0`,
  ];
  const flood = Array.from({ length: FLOOD }, (_, i) =>
    fetch(`${gateway.url}/search?q=anything&after=${forged[i % forged.length]?.(i)}`, {
      headers: { authorization: "Bearer tenant-a:attacker" },
    }).then(
      (response) => response.status,
      () => 0,
    ),
  );

  const victim: number[] = [];
  for (let i = 0; i < VICTIM_SEARCHES; i++) {
    const response = await fetch(`${gateway.url}/search?q=Beatrix`, {
      headers: { authorization: "Bearer tenant-b:user-1" },
    });
    victim.push(response.status);
    if (response.ok) {
      const found = (await response.json()) as { hits: { id: string }[] };
      expect(found.hits.map((hit) => hit.id)).toEqual(["b-1"]);
    }
  }

  const statuses = await Promise.all(flood);
  // Nothing parked (no 504 after the wait bound), nothing failed (0 would be a dropped connection).
  expect(statuses.filter((status) => status !== 400 && status !== 429)).toEqual([]);
  expect(statuses).toHaveLength(FLOOD);
  expect(victim).toEqual(Array(VICTIM_SEARCHES).fill(200));
}, 120_000);
