import {
  AppError,
  decodeConsistencyToken,
  invalidInput,
  RETRY_AFTER_SECONDS,
} from "@event-mesh/service-kit";
import type { TenantAdmission } from "../limits/admission.ts";
import type { FreshnessWaiters } from "./waiters.ts";

/** What admitting a search needs. */
export interface SearchAdmission {
  /** Where searches with a consistency token wait for their write. */
  freshness: FreshnessWaiters;
  /** MESH_TOKEN_KEYS: a token must be signed by one of them. */
  meshTokenKeys: readonly string[];
  /** TENANT_LIMITS' searchesPerSecond; unset → no limit. */
  admission?: TenantAdmission | undefined;
}

/**
 * Everything a search goes through before it runs, cheapest refusal first: the tenant's rate
 * limit (429), then with a consistency token (`field` says where it came from) its signature
 * (400 at once for a forged or altered one), its tenant (403) and the caps on waiting searches
 * (429); then the wait for its write. Nothing waits before it was admitted, so a flood of tokens
 * costs a rate-limited tenant no more than a flood of plain searches.
 */
export async function admitSearch(
  deps: SearchAdmission,
  tenantId: string,
  token: { text: string; field: string } | undefined,
  signal?: AbortSignal,
): Promise<void> {
  deps.admission?.search(tenantId);
  await awaitWrite(deps, tenantId, token, signal);
}

/**
 * Read-your-writes for one search: with a consistency token, resolves once its write is stored,
 * so the search that follows sees it. Refuses a token that is not one or is not signed by this
 * mesh (400), another tenant's (403), and one over the waiting caps (429 with `Retry-After`);
 * past the wait bound, a 504 `not_searchable_yet` with `Retry-After`: never an answer that
 * misses the write.
 */
export async function awaitWrite(
  deps: Pick<SearchAdmission, "freshness" | "meshTokenKeys">,
  tenantId: string,
  token: { text: string; field: string } | undefined,
  signal?: AbortSignal,
): Promise<void> {
  if (!token) return;
  const decoded = decodeConsistencyToken(token.text, deps.meshTokenKeys);
  if (!decoded.ok) {
    const message = decoded.reason;
    throw invalidInput([{ path: token.field, message }], `${token.field} ${message}`);
  }
  const { target } = decoded;
  if (target.tenantId !== tenantId)
    throw new AppError(403, "forbidden", "the consistency token belongs to another tenant");
  const full = deps.freshness.refusal(tenantId);
  if (full) {
    throw new AppError(
      429,
      "too_many_requests",
      `too many searches wait for their writes (${full.limit}=${full.max}); retry after ${RETRY_AFTER_SECONDS} s`,
      { tenantId, limit: full.limit, max: full.max },
      { retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  }
  if (await deps.freshness.wait(target, signal)) return;
  throw new AppError(
    504,
    "not_searchable_yet",
    "the write is not searchable yet; retry the search with the same token",
    { collection: target.collection, entityId: target.entityId, version: target.version },
    { retryAfterSeconds: RETRY_AFTER_SECONDS },
  );
}
