import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { AppError } from "@event-mesh/service-kit";
import type { SQL } from "bun";

/** How long an Idempotency-Key is remembered. */
const TTL_MS = 24 * 60 * 60 * 1000;

/** A remembered answer to an `Idempotency-Key`. */
export interface IdempotentRequest {
  /** The client's key, unique per tenant. */
  key: string;
  /** Hash of the request body, to tell a replay from a reuse with another body. */
  hash: string;
}

/** 422: an Idempotency-Key seen before with another body. */
export const idempotencyKeyReused = () =>
  new AppError(
    422,
    "idempotency_key_reused",
    "this Idempotency-Key was already used with a different request body",
  );

/** What a key lookup found: nothing, the first answer (a replay), or a reuse with another body. */
export type IdempotencyCheck =
  | { seen: false }
  | { seen: true; reused: true }
  | { seen: true; reused: false; status: number; body: unknown };

/** The request of a create with `key` (or none without one): the key and the body's hash. */
export function idempotentRequest(
  key: string | undefined,
  body: readonly unknown[],
): IdempotentRequest | undefined {
  if (key === undefined) return undefined;
  return { key, hash: createHash("sha256").update(JSON.stringify(body)).digest("hex") };
}

const outcome = (
  request: IdempotentRequest,
  seen: { hash: string; status: number; body: string } | null | undefined,
): IdempotencyCheck => {
  if (!seen) return { seen: false };
  if (seen.hash !== request.hash) return { seen: true, reused: true };
  return { seen: true, reused: false, status: seen.status, body: JSON.parse(seen.body) };
};

/** SQLite: looks `request` up (forgetting expired keys); call inside the create's transaction. */
export function checkSqlite(db: Database, tenantId: string, request: IdempotentRequest) {
  const now = Date.now();
  db.query("DELETE FROM idempotency WHERE created_at < ?").run(now - TTL_MS);
  const seen = db
    .query<{ hash: string; status: number; body: string }, [string, string]>(
      "SELECT hash, status, body FROM idempotency WHERE tenant_id = ? AND key = ?",
    )
    .get(tenantId, request.key);
  return outcome(request, seen);
}

/** SQLite: remembers the answer; in the create's transaction, so both commit or neither. */
export function rememberSqlite(
  db: Database,
  tenantId: string,
  request: IdempotentRequest,
  answer: { status: number; body: unknown },
): void {
  db.query("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?)").run(
    tenantId,
    request.key,
    request.hash,
    answer.status,
    JSON.stringify(answer.body),
    Date.now(),
  );
}

/**
 * Postgres: looks `request` up in the create's transaction, after taking a lock on the key, so
 * two requests with one key wait for each other instead of both creating.
 */
export async function checkPostgres(
  tx: SQL,
  tenantId: string,
  request: IdempotentRequest,
): Promise<IdempotencyCheck> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}\n${request.key}`}, 0))`;
  await tx`DELETE FROM idempotency WHERE tenant_id = ${tenantId} AND key = ${request.key}
           AND created_at < now() - ${`${TTL_MS} milliseconds`}::interval`;
  const [seen] = await tx<{ hash: string; status: number; body: string }[]>`
    SELECT hash, status, body FROM idempotency
    WHERE tenant_id = ${tenantId} AND key = ${request.key}`;
  return outcome(request, seen);
}

/** Postgres: remembers the answer in the create's transaction. */
export async function rememberPostgres(
  tx: SQL,
  tenantId: string,
  request: IdempotentRequest,
  answer: { status: number; body: unknown },
): Promise<void> {
  await tx`INSERT INTO idempotency (tenant_id, key, hash, status, body)
           VALUES (${tenantId}, ${request.key}, ${request.hash}, ${answer.status},
                   ${JSON.stringify(answer.body)})`;
}
