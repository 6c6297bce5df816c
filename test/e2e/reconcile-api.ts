// POST /admin/reconcile as the reconcile tests call it, and what its report says about drift.

/** The operator token the reconcile tests give the gateway. */
export const RECONCILE_TOKEN = "operator-e2e-0123456789-abcdefghijk";

/** One kind of drift in one collection: how many entities, and the first few `tenant/id`. */
export interface Kind {
  count: number;
  first: string[];
}

/** A reconcile run's report, per collection and kind of drift. */
export type Report = {
  complete: boolean;
  collections: Record<string, Record<"missing" | "stale" | "orphaned" | "ahead", Kind>>;
};

/** Runs a reconcile with `body` (tenant, repair) on the gateway; throws unless it answers 200. */
export async function reconcile(
  gatewayUrl: string,
  body: Record<string, unknown>,
): Promise<Report> {
  const response = await fetch(`${gatewayUrl}/admin/reconcile`, {
    method: "POST",
    headers: { authorization: `Bearer ${RECONCILE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (response.status !== 200)
    throw new Error(`reconcile answered ${response.status}: ${JSON.stringify(json)}`);
  return json as Report;
}

/** Drifted entities of one collection in a report, -1 when the report has no such collection. */
export function driftTotal(report: Report, collection: string): number {
  const kinds = report.collections[collection];
  return kinds
    ? kinds.missing.count + kinds.stale.count + kinds.orphaned.count + kinds.ahead.count
    : -1;
}
