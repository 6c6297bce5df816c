import { TenantId } from "@event-mesh/contracts";
import { Hono } from "hono";
import * as v from "valibot";
import type { Logger } from "./logger.ts";
import { type OperatorAuthOptions, type OperatorVariables, operatorAuth } from "./operator-auth.ts";
import { validate } from "./validate.ts";

/** One entity as the source holds it now: its id and the version of its last event. */
export const SnapshotEntity = v.object({
  /** The entity id, as the events carry it. */
  id: v.string(),
  /** The version of the entity's last event. */
  version: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** `GET /admin/snapshot`: a page of a tenant's current entities, in id order. */
export const SnapshotPage = v.object({
  /** The page, ids ascending. */
  entities: v.array(SnapshotEntity),
  /** Pass as `cursor` for the next page; null on the last page. */
  next: v.nullable(v.string()),
});

/** `GET /admin/snapshot/tenants`: a page of the tenants that have entities. */
export const TenantPage = v.object({
  tenants: v.array(v.string()),
  next: v.nullable(v.string()),
});

/** `POST /admin/republish` body: entities whose current state goes out again as events. */
export const RepublishRequest = v.object({
  /** The tenant of every id. */
  tenant: TenantId,
  /** Entity ids; at most 1,000 per call. */
  ids: v.pipe(
    v.array(
      v.pipe(v.string(), v.regex(/^[\x21-\x7e]{1,255}$/, "must be 1–255 visible ASCII characters")),
    ),
    v.maxLength(1000),
  ),
});

/** `POST /admin/republish` answer. */
export const RepublishResult = v.object({
  /** Ids whose current state was written to the outbox (same version as their last event). */
  republished: v.array(v.string()),
  /** Ids the source does not hold (deleted): their delete event was already sent. */
  missing: v.array(v.string()),
});

/**
 * What a producer provides so the ai-gateway can reconcile its vectors with it. Mount with
 * `app.route("/", snapshotRoutes({ source, auth, logger }))`.
 */
export interface SnapshotSource {
  /** Up to `limit` entities of `tenantId` with ids after `after`, ascending. */
  snapshot(
    tenantId: string,
    after: string | undefined,
    limit: number,
  ): Promise<v.InferOutput<typeof SnapshotPage>>;
  /** Up to `limit` tenants after `after`, ascending. */
  tenants(after: string | undefined, limit: number): Promise<v.InferOutput<typeof TenantPage>>;
  /**
   * Writes each existing entity's current state to the outbox as an event, with its current
   * version, in one transaction; the relay then sends them like any change.
   */
  republish(
    tenantId: string,
    ids: readonly string[],
  ): Promise<v.InferOutput<typeof RepublishResult>>;
}

/** What a producer's store offers for reconciliation; `pagedSnapshotSource` makes a source of it. */
export interface SnapshotStore {
  /** Up to `limit` entities of the tenant after `after`, ascending, and the last id when more follow. */
  page(
    tenantId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ entities: readonly { id: string; version: number }[]; lastId: string | undefined }>;
  /** Up to `limit` tenants after `after`, ascending. */
  tenants(after: string | undefined, limit: number): Promise<string[]>;
  /** Writes the current state of each existing entity of `ids` to the outbox; the ids found. */
  republish(tenantId: string, ids: readonly string[]): Promise<string[]>;
}

/** The snapshot source of a producer's store: pages, tenant pages, and republish's split. */
export function pagedSnapshotSource(store: SnapshotStore): SnapshotSource {
  return {
    async snapshot(tenantId, after, limit) {
      const page = await store.page(tenantId, after, limit);
      return {
        entities: page.entities.map(({ id, version }) => ({ id, version })),
        next: page.lastId ?? null,
      };
    },
    async tenants(after, limit) {
      const tenants = await store.tenants(after, limit + 1);
      const page = tenants.slice(0, limit);
      return { tenants: page, next: tenants.length > limit ? (page.at(-1) ?? null) : null };
    },
    async republish(tenantId, ids) {
      const found = new Set(await store.republish(tenantId, ids));
      return {
        republished: ids.filter((id) => found.has(id)),
        missing: ids.filter((id) => !found.has(id)),
      };
    },
  };
}

const PageQuery = v.object({
  tenant: TenantId,
  cursor: v.optional(v.pipe(v.string(), v.maxLength(255))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,5}$/, "must be 1 to 10000"),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(10_000),
    ),
    "1000",
  ),
});
const TenantQuery = v.omit(PageQuery, ["tenant"]);

/** The operator endpoints a producer mounts: snapshot pages and republish. */
export function snapshotRoutes(options: {
  source: SnapshotSource;
  auth: OperatorAuthOptions;
  logger: Logger;
}) {
  const { source, logger } = options;
  const app = new Hono<{ Variables: OperatorVariables }>();
  // On each route, not `use("/admin/*")`: other /admin routes of the producer keep their own
  // auth, and a method a path does not have stays a 405.
  const operator = operatorAuth(options.auth);
  app.get("/admin/snapshot", operator, validate("query", PageQuery), async (c) => {
    const q = c.req.valid("query");
    return c.json(await source.snapshot(q.tenant, q.cursor, q.limit));
  });
  app.get("/admin/snapshot/tenants", operator, validate("query", TenantQuery), async (c) => {
    const q = c.req.valid("query");
    return c.json(await source.tenants(q.cursor, q.limit));
  });
  app.post("/admin/republish", operator, validate("json", RepublishRequest), async (c) => {
    const body = c.req.valid("json");
    const result = await source.republish(body.tenant, body.ids);
    logger.info(
      {
        operator: c.get("operator"),
        tenant: body.tenant,
        republished: result.republished.length,
        missing: result.missing.length,
      },
      "republished entities",
    );
    return c.json(result);
  });
  return app;
}
