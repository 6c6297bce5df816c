import {
  callHttp,
  deadline,
  RepublishResult,
  SnapshotPage,
  TenantPage,
  urlUnder,
} from "@event-mesh/service-kit";
import * as v from "valibot";
import { GatewayError } from "../errors.ts";

/** A producer's snapshot and republish endpoints (service-kit `snapshotRoutes`), over HTTP. */
export class SourceClient {
  constructor(
    /** The producer's name in the event registry (`user-service`). */
    readonly name: string,
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Every page of a tenant's current entities, id by id. */
  async *entities(tenantId: string, pageSize: number) {
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { tenant: tenantId, limit: String(pageSize) };
      if (cursor) query.cursor = cursor;
      const page = await this.#get("/admin/snapshot", query, SnapshotPage);
      yield* page.entities;
      cursor = page.next;
    } while (cursor !== null);
  }

  /** Every tenant that has entities at the source. */
  async tenants(): Promise<string[]> {
    const tenants: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = cursor ? { cursor } : {};
      const page = await this.#get("/admin/snapshot/tenants", query, TenantPage);
      tenants.push(...page.tenants);
      cursor = page.next;
    } while (cursor !== null);
    return tenants;
  }

  /** Asks the source to send the current state of `ids` again, through its outbox. */
  async republish(tenantId: string, ids: readonly string[]) {
    const result = { republished: 0, missing: 0 };
    for (let i = 0; i < ids.length; i += 1000) {
      const body = JSON.stringify({ tenant: tenantId, ids: ids.slice(i, i + 1000) });
      const answer = await this.#call(
        "/admin/republish",
        { method: "POST", body },
        RepublishResult,
      );
      result.republished += answer.republished.length;
      result.missing += answer.missing.length;
    }
    return result;
  }

  #get<T>(path: string, query: Record<string, string>, schema: v.GenericSchema<unknown, T>) {
    return this.#call(`${path}?${new URLSearchParams(query)}`, { method: "GET" }, schema);
  }

  async #call<T>(
    path: string,
    init: { method: "GET" | "POST"; body?: string },
    schema: v.GenericSchema<unknown, T>,
  ): Promise<T> {
    // Under the base URL, its path kept (`http://proxy/user-service/admin/…`).
    const url = urlUnder(this.baseUrl, path);
    let response: Response;
    try {
      response = await callHttp(this.baseUrl, path, {
        ...init,
        token: this.token,
        headers: { "content-type": "application/json" },
        signal: deadline(this.timeoutMs).signal,
      });
    } catch (error) {
      throw new GatewayError("source_failed", `${this.name} at ${url.origin}: ${String(error)}`);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw new GatewayError(
        "source_failed",
        `${this.name} answered ${response.status} to ${url.pathname}: ${JSON.stringify(body)}`,
      );
    }
    const parsed = v.safeParse(schema, body);
    if (!parsed.success) {
      throw new GatewayError(
        "source_failed",
        `${this.name} sent an unexpected ${url.pathname} body`,
      );
    }
    return parsed.output;
  }
}
