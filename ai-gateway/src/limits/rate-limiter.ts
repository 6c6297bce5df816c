/** What one tenant asks of its bucket. */
export interface RateRequest {
  tenantId: string;
  count: number;
  perSecond: number;
}

/** A refused request: whose bucket is empty and how long until it may try again. */
export interface RateRefusal {
  tenantId: string;
  perSecond: number;
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets beyond this many trigger a sweep of the full (idle) ones. */
const SWEEP_ABOVE = 10_000;

/**
 * Token buckets per tenant (and kind), holding at most one second of the rate. A request is
 * admitted while no bucket it needs is in debt, and may overdraw them: a request of more items
 * than one second's worth still passes (it is never refused forever) and the debt makes the
 * tenant wait before its next one.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket & { perSecond: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Admits all of `requests` (taking from every bucket) or none; `null` when admitted. */
  admit(requests: readonly RateRequest[]): RateRefusal | null {
    const now = this.now();
    const buckets = requests.map((request) => this.#refill(request, now));
    for (const [i, bucket] of buckets.entries()) {
      const request = requests[i];
      if (request && bucket.tokens < 1) {
        const wait = (1 - bucket.tokens) / request.perSecond;
        return {
          tenantId: request.tenantId,
          perSecond: request.perSecond,
          retryAfterSeconds: Math.max(1, Math.ceil(wait)),
        };
      }
    }
    for (const [i, bucket] of buckets.entries()) bucket.tokens -= requests[i]?.count ?? 0;
    if (this.#buckets.size > SWEEP_ABOVE) this.#sweep(now);
    return null;
  }

  #refill({ tenantId, perSecond }: RateRequest, now: number) {
    let bucket = this.#buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: perSecond, at: now, perSecond };
      this.#buckets.set(tenantId, bucket);
    }
    bucket.perSecond = perSecond;
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    return bucket;
  }

  /** A full bucket is the same as none: idle tenants hold no memory. */
  #sweep(now: number): void {
    for (const [tenant, bucket] of this.#buckets)
      if (bucket.tokens + ((now - bucket.at) / 1000) * bucket.perSecond >= bucket.perSecond)
        this.#buckets.delete(tenant);
  }
}
