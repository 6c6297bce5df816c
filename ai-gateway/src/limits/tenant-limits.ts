/** One tenant's limits; a limit left out is unlimited. */
export interface Limits {
  /** Searches (`GET`/`POST /search`) per second. */
  searchesPerSecond?: number;
  /** Events admitted per second over `POST /events`. */
  eventsPerSecond?: number;
  /** Embeddings computed per UTC day (cache hits are free). */
  embeddingsPerDay?: number;
}

const FIELDS = ["searchesPerSecond", "eventsPerSecond", "embeddingsPerDay"] as const;
/** The tenant name that sets every tenant's default. */
export const DEFAULT_TENANT = "*";

/** The default limits and each tenant's overrides (TENANT_LIMITS). */
export class TenantLimits {
  constructor(
    readonly defaults: Limits = {},
    readonly overrides: ReadonlyMap<string, Limits> = new Map(),
  ) {}

  /** `tenantId`'s limits: its overrides over the defaults. */
  of(tenantId: string): Limits {
    return { ...this.defaults, ...this.overrides.get(tenantId) };
  }

  /** No limit set for anyone. */
  get none(): boolean {
    return Object.keys(this.defaults).length === 0 && this.overrides.size === 0;
  }
}

/**
 * Parses `*:searchesPerSecond=20,eventsPerSecond=500;tenant-a:searchesPerSecond=50`: entries
 * split by `;`, each `<tenant or *>:<limit>=<positive integer>,…`. Returns the problem as a
 * string (for the configuration error) instead of throwing.
 */
export function parseTenantLimits(text: string): TenantLimits | string {
  let defaults: Limits = {};
  const overrides = new Map<string, Limits>();
  for (const entry of text.split(";").map((part) => part.trim())) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    const tenant = entry.slice(0, colon).trim();
    if (colon <= 0 || tenant === "") return `"${entry}": expected <tenant or *>:<limit>=<n>,…`;
    const limits: Limits = {};
    for (const pair of entry.slice(colon + 1).split(",")) {
      const [name = "", value = ""] = pair.split("=").map((part) => part.trim());
      const field = FIELDS.find((known) => known === name);
      if (!field) return `"${tenant}": unknown limit "${name}" (known: ${FIELDS.join(", ")})`;
      if (!/^[1-9][0-9]{0,9}$/.test(value))
        return `"${tenant}": ${name} must be a positive integer, got "${value}"`;
      limits[field] = Number(value);
    }
    if (tenant === DEFAULT_TENANT) defaults = { ...defaults, ...limits };
    else overrides.set(tenant, { ...overrides.get(tenant), ...limits });
  }
  return new TenantLimits(defaults, overrides);
}
