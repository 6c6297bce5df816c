import { describeError, type Logger } from "@event-mesh/service-kit";
import type { Gauge } from "prom-client";
import type { VectorStore } from "../vectors/index.ts";
import { pointId } from "../vectors/point-id.ts";
import { DRIFT_KINDS, diffTenant, type TenantDrift } from "./diff.ts";
import type { ReconcileTarget } from "./plan.ts";
import {
  addDrift,
  type CollectionReport,
  emptyCollection,
  type ReconcileReport,
} from "./report.ts";
import type { SourceClient } from "./source-client.ts";

/** What a reconciler works with; `main.ts` builds the real ones. */
export interface ReconcilerDeps {
  store: VectorStore;
  /** The registry's collections and their producers (`reconcileTargets`). */
  targets: readonly ReconcileTarget[];
  /** Clients of the producers that have a URL (RECONCILE_SOURCES), by producer name. */
  sources: ReadonlyMap<string, SourceClient>;
  /** RECONCILE_MAX_ENTITIES: most source entities compared per run. */
  maxEntities: number;
  /** Entities per page read from the store and the source. */
  pageSize?: number;
  /** `ai_gateway_drift_entities{kind,collection}`, set by each run over all tenants. */
  drift: Gauge<"kind" | "collection">;
  logger: Logger;
}

/** A run's request: who asks, one tenant or all, and whether to repair. */
export interface RunRequest {
  by: string;
  tenant?: string | undefined;
  repair: boolean;
}

/**
 * Compares the vector store with each producer, tenant by tenant, and repairs on request:
 * missing, stale and ahead entities are re-published by the source through its outbox (ahead
 * ones, and forged tombstones of missing ones, are purged first so the source's lower version
 * is accepted); orphaned points are deleted here, at their stored version.
 */
export class Reconciler {
  #running: Promise<ReconcileReport> | null = null;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** True while a run is in progress (one at a time). */
  get running(): boolean {
    return this.#running !== null;
  }

  /** Runs once; rejects with `busy` when a run is already in progress. */
  run(request: RunRequest): Promise<ReconcileReport> {
    if (this.#running) return Promise.reject(new Error("busy"));
    this.#running = this.#run(request).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(request: RunRequest): Promise<ReconcileReport> {
    const started = Date.now();
    const report: ReconcileReport = {
      by: request.by,
      repair: request.repair,
      tenant: request.tenant ?? null,
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
      complete: true,
      collections: {},
      skipped: [],
    };
    let budget = this.deps.maxEntities;
    for (const { collection, producer } of this.deps.targets) {
      const source = producer ? this.deps.sources.get(producer) : undefined;
      if (!source) {
        report.skipped.push({
          collection,
          reason: `no source URL for ${producer ?? "(no producer)"}`,
        });
        continue;
      }
      const into = emptyCollection(source.name);
      report.collections[collection] = into;
      try {
        const tenants = request.tenant ? [request.tenant] : await source.tenants();
        for (const tenant of tenants) {
          if (budget <= 0) {
            report.complete = false;
            break;
          }
          const compared = await this.#tenant(
            collection,
            tenant,
            source,
            into,
            request.repair,
            budget,
          );
          if (compared === null) {
            report.complete = false;
            break;
          }
          budget -= compared;
        }
      } catch (error) {
        delete report.collections[collection];
        report.skipped.push({ collection, reason: describeError(error) });
      }
    }
    report.durationMs = Date.now() - started;
    if (!request.tenant && report.complete) this.#publishGauge(report);
    this.deps.logger.info({ reconcile: report }, "reconcile run");
    return report;
  }

  /** One tenant of one collection; the entities compared, or null when over the budget. */
  async #tenant(
    collection: string,
    tenant: string,
    source: SourceClient,
    into: CollectionReport,
    repair: boolean,
    budget: number,
  ): Promise<number | null> {
    const pageSize = this.deps.pageSize ?? 1000;
    // The store first, then the source: a change landing in between shows as stale or missing
    // (repaired by a harmless republish), never as a false "ahead".
    const stored = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const page = await this.deps.store.listVersions(collection, tenant, cursor, pageSize);
      for (const entry of page.entries) stored.set(entry.entityId, entry.version);
      cursor = page.next;
    } while (cursor !== null);
    const listed: { id: string; version: number }[] = [];
    for await (const entity of source.entities(tenant, pageSize)) {
      listed.push(entity);
      if (listed.length > budget) return null;
    }
    const drift = diffTenant(stored, listed);
    into.tenants++;
    into.compared += listed.length;
    addDrift(into, tenant, drift);
    if (repair) await this.#repair(collection, tenant, source, into, drift);
    return listed.length;
  }

  async #repair(
    collection: string,
    tenant: string,
    source: SourceClient,
    into: CollectionReport,
    drift: TenantDrift,
  ): Promise<void> {
    into.repaired ??= { republished: 0, deleted: 0, purged: 0 };
    const done = into.repaired;
    const ids = (kind: keyof TenantDrift) => drift[kind].map((d) => d.entityId);
    // Ahead: the forged version would win over the source's. Missing: a forged tombstone would.
    const purge = [...ids("ahead"), ...ids("missing")];
    await this.deps.store.purge(collection, tenant, purge);
    done.purged += purge.length;
    const deletes = drift.orphaned.map((d) => ({
      id: pointId(collection, tenant, d.entityId),
      tenantId: tenant,
      entityId: d.entityId,
      version: d.stored,
    }));
    if (deletes.length > 0) {
      done.deleted += (await this.deps.store.write(collection, { upserts: [], deletes })).deleted;
    }
    const again = [...ids("missing"), ...ids("stale"), ...ids("ahead")];
    if (again.length > 0) done.republished += (await source.republish(tenant, again)).republished;
  }

  #publishGauge(report: ReconcileReport): void {
    for (const [collection, c] of Object.entries(report.collections)) {
      for (const kind of DRIFT_KINDS) this.deps.drift.set({ kind, collection }, c[kind].count);
    }
  }
}
