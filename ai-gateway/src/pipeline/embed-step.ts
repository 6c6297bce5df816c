import type { CacheEntry, EmbeddingCache } from "../embedders/cache.ts";
import { type Embedder, Refused } from "../embedders/index.ts";
import { GatewayError, WrongDimsError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { QuotaDay } from "../usage/quota.ts";
import type { EntityChange } from "./plan.ts";

/** Dead-letter code of an event refused because its tenant's embeddings quota is used up. */
export const QUOTA_EXCEEDED = "embedding_quota_exceeded";

/** Today's embeddings of a tenant, and its daily limit (EMBEDDINGS_PER_DAY of TENANT_LIMITS). */
export interface QuotaView {
  /** The daily limit of `tenantId`; undefined → unlimited. */
  limitOf(tenantId: string): number | undefined;
  /** What `tenantId` used today. */
  today(tenantId: string): QuotaDay;
}

/** What the embed step needs. */
export interface EmbedStepDeps {
  embedder: Embedder;
  /** Unset → every text is embedded. */
  cache?: EmbeddingCache | undefined;
  /**
   * EMBEDDING_CACHE_SCOPE: `tenant` (default) keys entries by tenant, so one tenant's hit never
   * reveals another's text; `shared` shares them, and meters a hit to the tenant like a miss.
   */
  cacheScope?: "tenant" | "shared" | undefined;
  /** Unset → no daily quota. */
  quota?: QuotaView | undefined;
  metrics: GatewayMetrics;
  /** Runs the embedder call until it succeeds (the pipeline's retry loop). */
  retrying: <T>(step: string, work: () => Promise<T>) => Promise<T>;
  signal: AbortSignal;
}

/** An upsert that gets no vector, with its dead-letter code and reason. */
export interface RefusedChange {
  change: EntityChange;
  code: string;
  reason: string;
}

/** The outcome: vectors by change, refusals, and per tenant what was computed and held. */
export interface EmbedOutcome {
  vectorOf: Map<EntityChange, Float32Array>;
  refused: RefusedChange[];
  /** Per tenant: texts computed by the embedder (not cache hits), and events held over quota. */
  counts: Map<string, QuotaDay>;
}

/**
 * Vectors for every upsert: from the cache when it has the text (unless the embedder is
 * cheaper than the cache), else computed in one embedder
 * call, at most once per (tenant, text), and only within the tenant's daily quota; computed
 * vectors go into the cache. Texts the embedder refuses for good come back as refusals.
 */
export async function embedChanges(
  upserts: readonly EntityChange[],
  deps: EmbedStepDeps,
): Promise<EmbedOutcome> {
  const outcome: EmbedOutcome = { vectorOf: new Map(), refused: [], counts: new Map() };
  if (upserts.length === 0) return outcome;
  const { embedder, metrics } = deps;
  // A cheap embedder computes every text: a miss would cost it a lookup and an insert on top.
  const cache = embedder.cheaperThanCache ? undefined : deps.cache;
  const shared = deps.cacheScope === "shared";
  const cached =
    cache?.get(
      embedder.name,
      embedder.dims,
      upserts.map((c) => c.text),
      shared ? undefined : upserts.map((c) => c.tenantId),
    ) ?? [];
  // Misses by tenant and text: one computation serves every change of a tenant with that text.
  const misses = new Map<string, EntityChange[]>();
  for (const [i, change] of upserts.entries()) {
    const vector = cached[i];
    if (vector) {
      outcome.vectorOf.set(change, vector);
      // Shared: a hit is billed like a miss, so /usage does not tell whether another tenant
      // embedded the same text before.
      if (shared) count(outcome, change.tenantId).computed++;
      continue;
    }
    const key = `${change.tenantId}\u0000${change.text}`;
    const same = misses.get(key);
    if (same) same.push(change);
    else misses.set(key, [change]);
  }
  if (cache) {
    const missed = upserts.length - outcome.vectorOf.size;
    metrics.cacheHits.inc(outcome.vectorOf.size);
    metrics.cacheMisses.inc(missed);
  }
  const toCompute = withinQuota([...misses.values()], deps.quota, outcome);
  if (toCompute.length === 0) return outcome;

  const texts = toCompute.map((group) => (group[0] as EntityChange).text);
  const started = performance.now();
  const embedded = await deps.retrying("embed", () =>
    embedder.embed(texts, deps.signal).catch((error: unknown) => {
      // A wrong vector size is configuration, not bad luck: no retry can fix it, and
      // retrying would hold the partition. Every text is refused with the reason.
      if (error instanceof WrongDimsError) return texts.map(() => new Refused(error.message));
      throw error;
    }),
  );
  metrics.embedSeconds.observe((performance.now() - started) / 1000);
  const fresh: CacheEntry[] = [];
  for (const [i, group] of toCompute.entries()) {
    const item = embedded[i];
    if (!item)
      throw new GatewayError("embedder_bad_response", "embedder returned fewer vectors than texts");
    if (item instanceof Refused) {
      for (const change of group)
        outcome.refused.push({ change, code: "embedding_refused", reason: item.reason });
      continue;
    }
    const first = group[0] as EntityChange;
    fresh.push({
      text: first.text,
      vector: item,
      scope: shared ? undefined : first.tenantId,
      owner: { tenantId: first.tenantId, entity: `${first.collection}/${first.entityId}` },
    });
    count(outcome, first.tenantId).computed++;
    for (const change of group) outcome.vectorOf.set(change, item);
  }
  cache?.put(embedder.name, embedder.dims, fresh);
  return outcome;
}

/**
 * The groups each tenant may still have computed today; the others are refused (dead-lettered
 * with QUOTA_EXCEEDED) and counted as held.
 */
function withinQuota(
  groups: EntityChange[][],
  quota: QuotaView | undefined,
  outcome: EmbedOutcome,
): EntityChange[][] {
  if (!quota) return groups;
  const left = new Map<string, number>();
  return groups.filter((group) => {
    const tenantId = (group[0] as EntityChange).tenantId;
    const limit = quota.limitOf(tenantId);
    if (limit === undefined) return true;
    const remaining = left.get(tenantId) ?? limit - quota.today(tenantId).computed;
    left.set(tenantId, remaining - 1);
    if (remaining > 0) return true;
    for (const change of group) {
      count(outcome, tenantId).held++;
      outcome.refused.push({
        change,
        code: QUOTA_EXCEEDED,
        reason: `tenant ${tenantId} used its ${limit} embeddings of today (UTC); send it again tomorrow`,
      });
    }
    return false;
  });
}

function count(outcome: EmbedOutcome, tenantId: string): QuotaDay {
  let counts = outcome.counts.get(tenantId);
  if (!counts) {
    counts = { computed: 0, held: 0 };
    outcome.counts.set(tenantId, counts);
  }
  return counts;
}
