import type { Database } from "bun:sqlite";
import { type Logger, truncateWal } from "@event-mesh/service-kit";
import type { EmbeddingCache } from "../embedders/cache.ts";
import type { Collection, VectorStore } from "../vectors/index.ts";
import { createErasureTable } from "./table.ts";

/** What the gateway recorded of a tenant's erase: who, when, and what each store lost. */
export interface GatewayErasure {
  tenantId: string;
  /** Who asked: the `tenant.deleted` event (`<source> <event id>`), or an operator. */
  requestedBy: string;
  requestedAt: string;
  /** Null while running. */
  finishedAt: string | null;
  state: "running" | "done";
  /** Removed per store step done (`vectors.users`, `cache`, …). */
  counts: Record<string, number>;
  /** Steps still to run; empty once done. */
  pending: string[];
  /** When `tenant.created` provisioned the tenant again; until then its writes are dropped. */
  provisionedAt: string | null;
}

/** What the eraser reaches. Every part is optional but the vectors: each mode has its own. */
export interface EraserDeps {
  db: Database;
  /** The generations' store: it erases every generation. */
  store: VectorStore;
  collections: readonly Collection[];
  cache?: EmbeddingCache | undefined;
  /** The HTTP dead letters in the gateway's file (Kafka's DLQ topic is a log: docs/operations/erasure.md). */
  deadLetters?: { erase(tenantId: string, entityId?: string): number } | undefined;
  /** Searches waiting for the tenant's writes: answered "not stored" at once. */
  waiters?: { release(tenantId: string): number } | undefined;
  logger: Logger;
}

/** Tables of the gateway's file keyed by tenant: usage, quotas, the tenant log. */
const TENANT_TABLES = ["usage_totals", "usage_global", "embedding_quota_days", "tenants"];

interface Row {
  tenant_id: string;
  requested_by: string;
  requested_at: string;
  finished_at: string | null;
  counts: string;
  provisioned_at: string | null;
}

/**
 * Erases a tenant from every store of this gateway, step by step, recording each step's count
 * as it completes. A restart mid-way resumes at the first step not recorded (`resume`, and the
 * redelivered `tenant.deleted`); every step is idempotent, so a repeat removes nothing more.
 */
export class TenantEraser {
  readonly #deps: EraserDeps;
  /** Tenants erased and not provisioned again: read on every batch, so kept in memory. */
  readonly #erased = new Set<string>();
  readonly #running = new Map<string, Promise<GatewayErasure>>();

  constructor(deps: EraserDeps) {
    this.#deps = deps;
    createErasureTable(deps.db);
    const open = deps.db
      .query<{ tenant_id: string }, []>(
        "SELECT tenant_id FROM gateway_erasures WHERE provisioned_at IS NULL",
      )
      .all();
    for (const row of open) this.#erased.add(row.tenant_id);
  }

  /** The steps of an erase, in order. */
  steps(): string[] {
    return [
      ...this.#deps.collections.map((c) => `vectors.${c}`),
      "cache",
      "dead_letters",
      "waiters",
      "usage_and_tenant",
    ];
  }

  /** True while the tenant is erased and not provisioned again: its writes are dropped. */
  isErased(tenantId: string): boolean {
    return this.#erased.has(tenantId);
  }

  /** `tenant.created` after an erase: the tenant's writes are taken again. */
  provisioned(tenantIds: readonly string[]): void {
    const lift = this.#deps.db.query(
      "UPDATE gateway_erasures SET provisioned_at = ? WHERE tenant_id = ? AND provisioned_at IS NULL",
    );
    const now = new Date().toISOString();
    for (const tenantId of tenantIds) {
      if (!this.#erased.delete(tenantId)) continue;
      lift.run(now, tenantId);
    }
  }

  /** The tenant's erase record, if this gateway ever erased it. */
  status(tenantId: string): GatewayErasure | undefined {
    const row = this.#row(tenantId);
    return row ? this.#record(row) : undefined;
  }

  /** Erases the tenant (or finishes an erase left running). Concurrent calls share one run. */
  eraseTenant(tenantId: string, requestedBy: string): Promise<GatewayErasure> {
    const running = this.#running.get(tenantId);
    if (running) return running;
    const run = this.#run(tenantId, requestedBy).finally(() => this.#running.delete(tenantId));
    this.#running.set(tenantId, run);
    return run;
  }

  /** Finishes the erases a stop or a crash left running. */
  async resume(): Promise<void> {
    const left = this.#deps.db
      .query<Row, []>("SELECT * FROM gateway_erasures WHERE finished_at IS NULL")
      .all();
    for (const row of left) await this.eraseTenant(row.tenant_id, row.requested_by);
  }

  /**
   * What was derived from one entity outside the vector store: its cache entries (every
   * generation) and its dead letters. The point itself goes with the delete event.
   */
  eraseSubject(tenantId: string, collection: Collection, entityId: string) {
    const cache = this.#deps.cache?.erase({ tenantId, entity: `${collection}/${entityId}` }) ?? 0;
    const deadLetters = this.#deps.deadLetters?.erase(tenantId, entityId) ?? 0;
    return { cache, deadLetters };
  }

  async #run(tenantId: string, requestedBy: string): Promise<GatewayErasure> {
    const { db, logger } = this.#deps;
    const now = new Date().toISOString();
    const previous = this.#row(tenantId);
    // An erase still open (running, or done and not provisioned again) is the same run: a
    // repeat re-checks every step; after a provisioning a new run starts from zero.
    const open = previous && previous.provisioned_at === null ? previous : undefined;
    const counts: Record<string, number> = open ? JSON.parse(open.counts) : {};
    const todo = open?.finished_at === null ? this.steps().filter((s) => !(s in counts)) : null;
    db.query(
      `INSERT OR REPLACE INTO gateway_erasures
       (tenant_id, requested_by, requested_at, finished_at, counts, provisioned_at)
       VALUES (?, ?, ?, NULL, ?, NULL)`,
    ).run(
      tenantId,
      open?.requested_by ?? requestedBy,
      open?.requested_at ?? now,
      JSON.stringify(counts),
    );
    // From here on, the tenant's writes still in flight are dropped, not stored.
    this.#erased.add(tenantId);
    const save = db.query("UPDATE gateway_erasures SET counts = ? WHERE tenant_id = ?");
    for (const step of todo ?? this.steps()) {
      const removed = await this.#step(step, tenantId);
      counts[step] = todo ? removed : (counts[step] ?? 0) + removed;
      save.run(JSON.stringify(counts), tenantId);
    }
    db.query("UPDATE gateway_erasures SET finished_at = ? WHERE tenant_id = ?").run(
      new Date().toISOString(),
      tenantId,
    );
    // Ids and counts only: the log must not keep what the erase removed.
    logger.info({ tenant: tenantId, counts }, "tenant erased");
    const row = this.#row(tenantId);
    if (!row) throw new Error("erasure record vanished");
    return this.#record(row);
  }

  async #step(step: string, tenantId: string): Promise<number> {
    const { db, store, cache, deadLetters, waiters } = this.#deps;
    if (step.startsWith("vectors.")) return store.eraseTenant(step.slice(8), tenantId);
    if (step === "cache") return cache?.erase({ tenantId }) ?? 0;
    if (step === "dead_letters") return deadLetters?.erase(tenantId) ?? 0;
    if (step === "waiters") return waiters?.release(tenantId) ?? 0;
    let removed = 0;
    for (const table of TENANT_TABLES) {
      const exists = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
      if (exists.get(table) === null) continue;
      removed += db.query(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId).changes;
    }
    await truncateWal(db);
    return removed;
  }

  #row(tenantId: string): Row | null {
    return this.#deps.db
      .query<Row, [string]>("SELECT * FROM gateway_erasures WHERE tenant_id = ?")
      .get(tenantId);
  }

  #record(row: Row): GatewayErasure {
    const counts = JSON.parse(row.counts) as Record<string, number>;
    return {
      tenantId: row.tenant_id,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      finishedAt: row.finished_at,
      state: row.finished_at === null ? "running" : "done",
      counts,
      pending: row.finished_at === null ? this.steps().filter((s) => !(s in counts)) : [],
      provisionedAt: row.provisioned_at,
    };
  }
}
