import { SQL } from "bun";
import {
  type ErasureRecord,
  eraseTenantPostgres,
  erasurePostgres,
  isErasedPostgres,
  provisionedPostgres,
} from "../erasure.ts";
import { probePostgres } from "../probe.ts";
import { orUnavailable } from "./errors.ts";
import { type MigrationSet, migrate } from "./migrate.ts";
import { type PostgresOutbox, postgresOutbox } from "./outbox.ts";

/** Options of a producer's Postgres store. */
export interface PostgresStoreOptions {
  url: string;
  /** Connections of the pool; concurrent requests run their transactions side by side. */
  poolMax: number;
  /** Relay shard rebalance period, ms. */
  rebalanceMs?: number | undefined;
}

/**
 * What every producer's Postgres store shares: the pool, the outbox its relay reads, one
 * transaction per change that wakes the relays after its commit, the readiness probe and the
 * shutdown. A producer's store extends it with its entities.
 */
export class PostgresProducerStore {
  readonly outbox: PostgresOutbox;
  protected readonly sql: SQL;

  protected constructor(options: PostgresStoreOptions) {
    this.sql = new SQL({ url: options.url, max: options.poolMax, connectionTimeout: 5 });
    this.outbox = postgresOutbox({
      sql: this.sql,
      url: options.url,
      rebalanceMs: options.rebalanceMs,
    });
  }

  /**
   * Runs `check` (refusing a database that is not the producer's), then applies pending
   * migrations under an advisory lock; closes the pool on failure.
   */
  protected static async prepare<T extends PostgresProducerStore>(
    store: T,
    migrations: readonly MigrationSet[],
    check: (sql: SQL) => Promise<void> = async () => {},
  ): Promise<T> {
    try {
      await check(store.sql);
      await migrate(store.sql, migrations);
    } catch (error) {
      await store.sql.close({ timeout: 0 });
      throw error;
    }
    return store;
  }

  /** The tenant's erase record, if it was ever erased. */
  erasure(tenantId: string): Promise<ErasureRecord | undefined> {
    return orUnavailable(() => erasurePostgres(this.sql, tenantId));
  }

  /** True while the tenant is erased and not provisioned again. */
  isErased(tenantId: string): Promise<boolean> {
    return orUnavailable(() => isErasedPostgres(this.sql, tenantId));
  }

  /** An operator provisioned the tenant again: its writes are taken again. */
  provisionTenant(tenantId: string): Promise<void> {
    return this.write((tx) => provisionedPostgres(tx, tenantId));
  }

  /** Erases the tenant's rows of `tables` (and idempotency, outbox) in one transaction. */
  protected eraseTables(
    tenantId: string,
    requestedBy: string,
    tables: readonly string[],
    source: string | null,
  ): Promise<ErasureRecord> {
    return this.write((tx) => eraseTenantPostgres(tx, { tenantId, requestedBy, tables, source }));
  }

  probeWrite(): Promise<void> {
    return orUnavailable(() => probePostgres(this.sql));
  }

  async close(): Promise<void> {
    await this.outbox.close();
    await this.sql.close({ timeout: 5 });
  }

  /** One transaction; wakes this process's relay (and the others) after the commit. */
  protected async write<T>(work: (tx: SQL) => Promise<T>): Promise<T> {
    const result = await orUnavailable(() => this.sql.begin(work));
    this.outbox.notify();
    return result;
  }
}
