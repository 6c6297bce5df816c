import {
  AppError,
  decodeConsistencyToken,
  invalidInput,
  RETRY_AFTER_SECONDS,
} from "@event-mesh/service-kit";
import type { FreshnessWaiters } from "./waiters.ts";

/**
 * Read-your-writes for one search: with a consistency token (`field` says where it came from),
 * resolves once its write is stored, so the search that follows sees it. Refuses a token that is
 * not one (400) or is another tenant's (403); past the wait bound, a 504 `not_searchable_yet`
 * with `Retry-After`: never an answer that misses the write.
 */
export async function awaitWrite(
  waiters: FreshnessWaiters,
  tenantId: string,
  token: { text: string; field: string } | undefined,
  signal?: AbortSignal,
): Promise<void> {
  if (!token) return;
  const decoded = decodeConsistencyToken(token.text);
  // The route's schema already holds `after` to the tokens of the collections it searches.
  if (!decoded.ok) {
    const message = decoded.reason;
    throw invalidInput([{ path: token.field, message }], `${token.field} ${message}`);
  }
  const { target } = decoded;
  if (target.tenantId !== tenantId)
    throw new AppError(403, "forbidden", "the consistency token belongs to another tenant");
  if (await waiters.wait(target, signal)) return;
  throw new AppError(
    504,
    "not_searchable_yet",
    "the write is not searchable yet; retry the search with the same token",
    { collection: target.collection, entityId: target.entityId, version: target.version },
    { retryAfterSeconds: RETRY_AFTER_SECONDS },
  );
}
