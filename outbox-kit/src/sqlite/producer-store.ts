// What every producer's SQLite store shares, as PostgresProducerStore is for Postgres.
import type { Database } from "bun:sqlite";
import { truncateWal } from "@event-mesh/service-kit";
import {
  type EraseRequest,
  type ErasureRecord,
  eraseTenantSqlite,
  erasureSqlite,
  isErasedSqlite,
  provisionedSqlite,
} from "../erasure.ts";
import type { Outbox } from "../outbox.ts";
import type { MigrationSet } from "../postgres/migrate.ts";
import { probeSqlite } from "../probe.ts";
import type { GroupCommit } from "./group-commit.ts";
import { openSqliteProducer } from "./producer-db.ts";

/**
 * A producer's SQLite file (openSqliteProducer): the database, the group commit its writes run
 * in, the outbox its relay reads, erasure records, the write probe and the shutdown. A producer's
 * store extends it with its entities.
 */
export class SqliteProducerStore {
  readonly outbox: Outbox;
  protected readonly db: Database;
  protected readonly group: GroupCommit;
  /** Stops the WAL checkpoint thread, then closes the database. */
  readonly #closeDb: () => void;

  protected constructor(path: string, migrations: MigrationSet) {
    const opened = openSqliteProducer(path, migrations);
    this.db = opened.db;
    this.group = opened.group;
    this.outbox = opened.outbox;
    this.#closeDb = () => opened.close();
  }

  /** Erases the tenant's rows as `request` says, in one transaction of the group commit. */
  protected async eraseTables(request: EraseRequest): Promise<ErasureRecord> {
    const record = await this.group.run(() => eraseTenantSqlite(this.db, request));
    // The WAL still holds the pages as they were before the erase: copy them into the file
    // (secure_delete zeroed the freed ones) and truncate it, waiting out the checkpoint thread.
    // A reader holding an old snapshot for 5 s keeps its frames until the next checkpoint.
    await truncateWal(this.db);
    return record;
  }

  /** The tenant's erase record, if it was ever erased. */
  async erasure(tenantId: string): Promise<ErasureRecord | undefined> {
    return erasureSqlite(this.db, tenantId);
  }

  /** True while the tenant is erased and not provisioned again. */
  async isErased(tenantId: string): Promise<boolean> {
    return isErasedSqlite(this.db, tenantId);
  }

  /** An operator provisioned the tenant again: its writes are taken again. */
  provisionTenant(tenantId: string): Promise<void> {
    return this.group.run(() => provisionedSqlite(this.db, tenantId));
  }

  /** Readiness: a write to the probe table. */
  async probeWrite(): Promise<void> {
    probeSqlite(this.db);
  }

  close(): void {
    this.#closeDb();
  }
}
