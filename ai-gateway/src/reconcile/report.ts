import { DRIFT_KINDS, type DriftKind, type TenantDrift } from "./diff.ts";

/** How many ids of each kind a report lists (`tenant/id`). */
export const FIRST_IDS = 10;

/** The drift of one kind in a collection: a count and the first ids. */
export interface KindReport {
  count: number;
  /** `tenant/entityId` of the first `FIRST_IDS` found. */
  first: string[];
}

/** One collection's result. */
export interface CollectionReport {
  /** The producer it was compared with. */
  source: string;
  tenants: number;
  /** Entities the source listed. */
  compared: number;
  missing: KindReport;
  stale: KindReport;
  orphaned: KindReport;
  ahead: KindReport;
  /** What the repair did (repair runs only). */
  repaired?: { republished: number; deleted: number; purged: number };
}

/** The answer of `POST /admin/reconcile`, and the line each run logs. */
export interface ReconcileReport {
  /** Who asked: `schedule`, or the operator's id. */
  by: string;
  repair: boolean;
  tenant: string | null;
  startedAt: string;
  durationMs: number;
  /** False when RECONCILE_MAX_ENTITIES stopped the run before every tenant was compared. */
  complete: boolean;
  collections: Record<string, CollectionReport>;
  /** Collections not compared, and why (no source configured, source failed). */
  skipped: { collection: string; reason: string }[];
}

/** An empty collection report. */
export function emptyCollection(source: string): CollectionReport {
  const none = (): KindReport => ({ count: 0, first: [] });
  return {
    source,
    tenants: 0,
    compared: 0,
    missing: none(),
    stale: none(),
    orphaned: none(),
    ahead: none(),
  };
}

/** Adds one tenant's drift to its collection's report. */
export function addDrift(report: CollectionReport, tenantId: string, drift: TenantDrift): void {
  for (const kind of DRIFT_KINDS) {
    const into = report[kind];
    into.count += drift[kind].length;
    for (const entity of drift[kind]) {
      if (into.first.length >= FIRST_IDS) break;
      into.first.push(`${tenantId}/${entity.entityId}`);
    }
  }
}

/** Total drifted entities of a kind, or of all kinds, in a report. */
export function driftTotal(report: ReconcileReport, kind?: DriftKind): number {
  let total = 0;
  for (const c of Object.values(report.collections)) {
    for (const k of kind ? [kind] : DRIFT_KINDS) total += c[k].count;
  }
  return total;
}
