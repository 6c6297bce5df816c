import { AppError } from "@event-mesh/service-kit";
import { RateLimiter, type RateRefusal } from "./rate-limiter.ts";
import type { TenantLimits } from "./tenant-limits.ts";

/**
 * The per-second limits of TENANT_LIMITS, as 429 answers with `Retry-After`. One instance per
 * gateway process: with N replicas behind a balancer, a tenant gets up to N × its rate.
 */
export class TenantAdmission {
  readonly #searches: RateLimiter;
  readonly #events: RateLimiter;

  constructor(
    readonly limits: TenantLimits,
    now?: () => number,
  ) {
    this.#searches = new RateLimiter(now);
    this.#events = new RateLimiter(now);
  }

  /** Throws a 429 when `tenantId` is over searchesPerSecond. */
  search(tenantId: string): void {
    const perSecond = this.limits.of(tenantId).searchesPerSecond;
    if (perSecond === undefined) return;
    const refused = this.#searches.admit([{ tenantId, count: 1, perSecond }]);
    if (refused) throw tooMany(refused, "searchesPerSecond", "searches");
  }

  /**
   * Throws a 429 when any tenant of an ingest request is over eventsPerSecond; then none of the
   * request is admitted (a client retries the whole request, so nothing is stored twice or lost).
   */
  events(countByTenant: ReadonlyMap<string, number>): void {
    const requests = [...countByTenant].flatMap(([tenantId, count]) => {
      const perSecond = this.limits.of(tenantId).eventsPerSecond;
      return perSecond === undefined ? [] : [{ tenantId, count, perSecond }];
    });
    if (requests.length === 0) return;
    const refused = this.#events.admit(requests);
    if (refused) throw tooMany(refused, "eventsPerSecond", "events");
  }
}

function tooMany(refused: RateRefusal, limit: string, what: string): AppError {
  return new AppError(
    429,
    "too_many_requests",
    `tenant ${refused.tenantId} is over its limit of ${refused.perSecond} ${what} per second; retry after ${refused.retryAfterSeconds} s`,
    { tenantId: refused.tenantId, limit, perSecond: refused.perSecond },
    { retryAfterSeconds: refused.retryAfterSeconds },
  );
}
