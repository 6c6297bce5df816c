import type { Database } from "bun:sqlite";
import type { AnyMeshEvent } from "@event-mesh/contracts";
import { AppError } from "@event-mesh/service-kit";
import type { SQL } from "bun";
import { appendPostgres } from "./postgres/append.ts";
import { appendSqlite } from "./sqlite/outbox.ts";

/** What a producer recorded of a tenant's erase: who, when, and rows removed per store. */
export interface ErasureRecord {
  /** The erased tenant. */
  tenantId: string;
  /** Who asked: the operator's subject (`operator` for the shared token). */
  requestedBy: string;
  /** When the first erase of this run was asked. */
  requestedAt: string;
  /** When the last erase of this run committed. */
  finishedAt: string;
  /** `done`: every row is gone (a producer erases in one transaction, so never half-way). */
  state: "done";
  /** Rows removed per table, summed over repeated erases of one run. */
  counts: Record<string, number>;
  /** When an operator provisioned the tenant again; until then writes answer 410. */
  provisionedAt: string | null;
}

/** 410: the tenant was erased and is not provisioned again. */
export const tenantErased = (tenantId: string) =>
  new AppError(
    410,
    "tenant_erased",
    `tenant ${tenantId} was erased; an operator must provision it again (POST /admin/tenants)`,
  );

const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

/** The columns of a record, timestamps as the ISO strings the API answers. */
const PG_RECORD = `tenant_id, requested_by, ${iso("requested_at")}, ${iso("finished_at")},
  counts::text AS counts, ${iso("provisioned_at")}`;

/** The `tenant.deleted` event of an erase; its version grows with time, erase after erase. */
export function tenantDeleted(tenantId: string, source: string, time: string): AnyMeshEvent {
  return {
    id: Bun.randomUUIDv7(),
    type: "tenant.deleted",
    source,
    time,
    tenantId,
    version: Date.parse(time),
    data: { tenantId },
  };
}

/** What one erase removes and who asked. */
export interface EraseRequest {
  tenantId: string;
  requestedBy: string;
  /** The producer's own tables with a `tenant_id` column, erased first. */
  tables: readonly string[];
  /** The producer's CloudEvents `source`; null: the producer does not send `tenant.deleted`. */
  source: string | null;
}

interface ErasureRow {
  tenant_id: string;
  requested_by: string;
  requested_at: string;
  finished_at: string;
  counts: string;
  provisioned_at: string | null;
}

const toRecord = (row: ErasureRow): ErasureRecord => ({
  tenantId: row.tenant_id,
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  finishedAt: row.finished_at,
  state: "done",
  counts: JSON.parse(row.counts) as Record<string, number>,
  provisionedAt: row.provisioned_at,
});

/** An open record's counts grow with a repeated erase; a new run (after provisioning) restarts. */
function merged(previous: ErasureRow | null | undefined, request: EraseRequest, counts: Counts) {
  const open = previous && previous.provisioned_at === null ? previous : null;
  const sum = open ? (JSON.parse(open.counts) as Counts) : {};
  for (const [table, n] of Object.entries(counts)) sum[table] = (sum[table] ?? 0) + n;
  return {
    requestedBy: open?.requested_by ?? request.requestedBy,
    requestedAt: open?.requested_at,
    counts: sum,
  };
}

type Counts = Record<string, number>;

/**
 * SQLite: removes the tenant's rows, its idempotency keys and its outbox rows not yet sent, then
 * writes `tenant.deleted` and the record, all in the caller's transaction. The event is appended
 * last, so the relay (one per file, in seq order) sends it after anything of the tenant it had
 * already read, never before. Idempotent: a repeat removes nothing more and re-sends the event.
 */
export function eraseTenantSqlite(db: Database, request: EraseRequest): ErasureRecord {
  const { tenantId } = request;
  const counts: Counts = {};
  for (const table of request.tables)
    counts[table] = db.query(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId).changes;
  counts.idempotency = db
    .query("DELETE FROM idempotency WHERE tenant_id = ?")
    .run(tenantId).changes;
  counts.outbox = db
    .query(
      `DELETE FROM outbox WHERE json_extract(event, '$.tenantid') = ?
       AND json_extract(event, '$.type') <> 'tenant.deleted'`,
    )
    .run(tenantId).changes;
  const now = new Date().toISOString();
  if (request.source) appendSqlite(db, tenantDeleted(tenantId, request.source, now));
  const previous = db
    .query<ErasureRow, [string]>("SELECT * FROM erasures WHERE tenant_id = ?")
    .get(tenantId);
  const next = merged(previous, request, counts);
  db.query("INSERT OR REPLACE INTO erasures VALUES (?, ?, ?, ?, ?, NULL)").run(
    tenantId,
    next.requestedBy,
    next.requestedAt ?? now,
    now,
    JSON.stringify(next.counts),
  );
  return {
    tenantId,
    requestedBy: next.requestedBy,
    requestedAt: next.requestedAt ?? now,
    finishedAt: now,
    state: "done",
    counts: next.counts,
    provisionedAt: null,
  };
}

/** SQLite: the tenant's erase record, if it was ever erased. */
export function erasureSqlite(db: Database, tenantId: string): ErasureRecord | undefined {
  const row = db
    .query<ErasureRow, [string]>("SELECT * FROM erasures WHERE tenant_id = ?")
    .get(tenantId);
  return row ? toRecord(row) : undefined;
}

/** SQLite: true while the tenant is erased and not provisioned again. */
export function isErasedSqlite(db: Database, tenantId: string): boolean {
  return (
    db
      .query("SELECT 1 FROM erasures WHERE tenant_id = ? AND provisioned_at IS NULL")
      .get(tenantId) !== null
  );
}

/**
 * SQLite: throws 410 `tenant_erased` for a write of an erased tenant. Call first inside the
 * write's transaction: a write queued in the same group commit as the erase is then refused,
 * not stored after it (the HTTP check before the handler cannot see an erase queued meanwhile).
 */
export function refuseErasedSqlite(db: Database, tenantId: string): void {
  if (isErasedSqlite(db, tenantId)) throw tenantErased(tenantId);
}

/** SQLite: an operator provisioned the tenant again; writes are taken again. */
export function provisionedSqlite(db: Database, tenantId: string): void {
  db.query(
    "UPDATE erasures SET provisioned_at = ? WHERE tenant_id = ? AND provisioned_at IS NULL",
  ).run(new Date().toISOString(), tenantId);
}

/**
 * Postgres: the same erase in the caller's transaction. Several relays share the outbox, each
 * holding some shards, so a row of the tenant already read by another relay may still reach the
 * transport after `tenant.deleted`; the gateway drops writes of an erased tenant for that reason.
 */
export async function eraseTenantPostgres(tx: SQL, request: EraseRequest): Promise<ErasureRecord> {
  const { tenantId } = request;
  // One erase of a tenant at a time across replicas: the second waits and finds nothing left.
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`erase\n${tenantId}`}, 0))`;
  const counts: Counts = {};
  for (const table of request.tables) {
    // Table names come from the producer's code, never from a request.
    const rows = await tx.unsafe(`DELETE FROM ${table} WHERE tenant_id = $1 RETURNING 1`, [
      tenantId,
    ]);
    counts[table] = rows.length;
  }
  counts.idempotency = (
    await tx`DELETE FROM idempotency WHERE tenant_id = ${tenantId} RETURNING 1`
  ).length;
  // The partition key is `<tenantId>/<entityId>`; compared as a prefix, never as a LIKE pattern.
  // An erase event still waiting (a repeated erase) stays: it is what the erase sends.
  counts.outbox = (
    await tx`DELETE FROM outbox WHERE left(partition_key, ${tenantId.length + 1}) = ${`${tenantId}/`}
             AND event::jsonb ->> 'type' <> 'tenant.deleted' RETURNING 1`
  ).length;
  const now = new Date().toISOString();
  if (request.source) await appendPostgres(tx, tenantDeleted(tenantId, request.source, now));
  const [previous] = await tx.unsafe<ErasureRow[]>(
    `SELECT ${PG_RECORD} FROM erasures WHERE tenant_id = $1`,
    [tenantId],
  );
  const next = merged(previous, request, counts);
  const [row] = await tx.unsafe<ErasureRow[]>(
    `INSERT INTO erasures (tenant_id, requested_by, requested_at, finished_at, counts)
     VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::text::jsonb)
     ON CONFLICT (tenant_id) DO UPDATE SET requested_by = excluded.requested_by,
       requested_at = excluded.requested_at, finished_at = excluded.finished_at,
       counts = excluded.counts, provisioned_at = NULL
     RETURNING ${PG_RECORD}`,
    [tenantId, next.requestedBy, next.requestedAt ?? now, now, JSON.stringify(next.counts)],
  );
  if (!row) throw new Error("erasure record not written");
  return toRecord(row);
}

/** Postgres: the tenant's erase record, if it was ever erased. */
export async function erasurePostgres(
  sql: SQL,
  tenantId: string,
): Promise<ErasureRecord | undefined> {
  const [row] = await sql.unsafe<ErasureRow[]>(
    `SELECT ${PG_RECORD} FROM erasures WHERE tenant_id = $1`,
    [tenantId],
  );
  return row ? toRecord(row) : undefined;
}

/** Postgres: true while the tenant is erased and not provisioned again. */
export async function isErasedPostgres(sql: SQL, tenantId: string): Promise<boolean> {
  const rows = await sql`
    SELECT 1 FROM erasures WHERE tenant_id = ${tenantId} AND provisioned_at IS NULL`;
  return rows.length > 0;
}

/** Postgres: an operator provisioned the tenant again, in the provisioning's transaction. */
export async function provisionedPostgres(tx: SQL, tenantId: string): Promise<void> {
  await tx`UPDATE erasures SET provisioned_at = now()
           WHERE tenant_id = ${tenantId} AND provisioned_at IS NULL`;
}
