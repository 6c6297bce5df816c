import type { Env, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { ERROR_BODY_SCHEMA } from "./docs.ts";
import {
  describeError,
  type ErrorLogger,
  renderAppError,
  requestIdOf,
  unavailable,
} from "./errors.ts";
import { PROBLEM_JSON } from "./problem.ts";

/** A readiness probe: resolves when the dependency answers, rejects (or times out) when not. */
export type Probe = (signal: AbortSignal) => Promise<unknown>;

/** The outcome of one probe. */
export interface CheckResult {
  /** `ok` or `failed`. */
  status: "ok" | "failed";
  /** Why it failed (for the log: `/readyz` sends only the status). */
  error?: string;
}

/** Health options. */
export interface HealthOptions {
  /** Named probes run by `/readyz`, all at once. */
  probes: Record<string, Probe>;
  /** Time each probe gets, in ms. Default 2000. */
  timeoutMs?: number | undefined;
  /** Where failed probes are logged with their reason; `/readyz` is unauthenticated. */
  logger?: Required<Pick<ErrorLogger, "warn">> | undefined;
}

/** Runs every probe with its own timeout; never throws. */
export async function runProbes(
  probes: Record<string, Probe>,
  timeoutMs: number,
): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(probes).map(
      async ([name, probe]) => [name, await runProbe(probe, timeoutMs)] as const,
    ),
  );
  return {
    ready: entries.every(([, result]) => result.status === "ok"),
    checks: Object.fromEntries(entries),
  };
}

async function runProbe(probe: Probe, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([probe(controller.signal), timeout]);
    return { status: "ok" };
  } catch (error) {
    return { status: "failed", error: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

const CHECKS_SCHEMA = {
  type: "object" as const,
  description: "Each probe by name: `{ status: ok|failed }` (why one failed is logged).",
  additionalProperties: {
    type: "object" as const,
    required: ["status"],
    properties: { status: { type: "string" as const, enum: ["ok", "failed"] } },
  },
};
const json = (schema: object) => ({ "application/json": { schema } });

/**
 * `/healthz`: the process is alive (never touches a dependency).
 * `/readyz`: every probe passed, else 503 naming the failed ones. Why a probe failed goes to the
 * log only: its text (SQL errors, file paths, hosts) is not for an unauthenticated caller.
 */
export function mountHealth<E extends Env>(app: Hono<E>, options: HealthOptions): Hono<E> {
  const timeoutMs = options.timeoutMs ?? 2000;
  app.get(
    "/healthz",
    describeRoute({
      tags: ["ops"],
      summary: "Liveness",
      responses: {
        200: {
          description: "alive",
          content: json({
            type: "object",
            required: ["status"],
            properties: { status: { const: "ok" } },
          }),
        },
      },
    }),
    (c) => c.json({ status: "ok" }),
  );
  app.get(
    "/readyz",
    describeRoute({
      tags: ["ops"],
      summary: "Readiness: probes every dependency",
      responses: {
        200: {
          description: "ready",
          content: json({
            type: "object",
            required: ["status", "checks"],
            properties: { status: { const: "ready" }, checks: CHECKS_SCHEMA },
          }),
        },
        503: {
          description: "a dependency is down: a problem document whose `detail` names it",
          content: {
            [PROBLEM_JSON]: {
              schema: {
                ...ERROR_BODY_SCHEMA,
                required: [...ERROR_BODY_SCHEMA.required, "checks"],
                properties: { ...ERROR_BODY_SCHEMA.properties, checks: CHECKS_SCHEMA },
              },
            },
          },
        },
      },
    }),
    async (c) => {
      const { ready, checks } = await runProbes(options.probes, timeoutMs);
      const statuses = Object.fromEntries(
        Object.entries(checks).map(([name, check]) => [name, { status: check.status }]),
      );
      if (ready) return c.json({ status: "ready", checks: statuses });
      const failed = Object.keys(checks).filter((name) => checks[name]?.status === "failed");
      const requestId = requestIdOf(c);
      for (const name of failed)
        options.logger?.warn({ probe: name, requestId, err: checks[name]?.error }, "probe failed");
      return renderAppError(c, unavailable(`not ready: ${failed.join(", ")}`), {
        checks: statuses,
      });
    },
  );
  return app;
}
