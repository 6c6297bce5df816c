/** The four ways a stored entity can differ from the source. */
export const DRIFT_KINDS = ["missing", "stale", "orphaned", "ahead"] as const;

/** One kind of drift. */
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** An entity that drifted, with its stored version (0 when not stored). */
export interface Drifted {
  entityId: string;
  stored: number;
}

/** A tenant's drift, by kind. */
export type TenantDrift = Record<DriftKind, Drifted[]>;

/**
 * Compares a tenant's stored versions with the source's, entity by entity: **missing** (in the
 * source, not stored), **stale** (stored version lower), **orphaned** (stored, not in the
 * source), **ahead** (stored version higher than the source's: forged or replayed).
 */
export function diffTenant(
  stored: ReadonlyMap<string, number>,
  source: Iterable<{ id: string; version: number }>,
): TenantDrift {
  const drift: TenantDrift = { missing: [], stale: [], orphaned: [], ahead: [] };
  const unmatched = new Map(stored);
  for (const entity of source) {
    const version = unmatched.get(entity.id);
    unmatched.delete(entity.id);
    if (version === undefined) drift.missing.push({ entityId: entity.id, stored: 0 });
    else if (version < entity.version) drift.stale.push({ entityId: entity.id, stored: version });
    else if (version > entity.version) drift.ahead.push({ entityId: entity.id, stored: version });
  }
  for (const [entityId, version] of unmatched) drift.orphaned.push({ entityId, stored: version });
  return drift;
}
