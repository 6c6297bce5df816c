import { dependencyDown, STORAGE_RETRY_AFTER_SECONDS } from "@event-mesh/service-kit";
import { SQL } from "bun";

/** SQLSTATE classes that mean "the database cannot serve now", not "this request is wrong". */
const UNAVAILABLE_CLASSES = ["08", "53", "57"];

/** True for a unique-index violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof SQL.PostgresError && error.errno === "23505";
}

/**
 * True when the error says the database is unreachable or shutting down: no connection,
 * a dropped one, a restart, too many connections. The caller answers 503 and may retry.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof SQL.PostgresError) {
    if (error.errno) return UNAVAILABLE_CLASSES.includes(error.errno.slice(0, 2));
    return error.code.startsWith("ERR_POSTGRES_CONNECTION") || error.code.includes("TIMEOUT");
  }
  // Socket errors of a connection attempt (ECONNREFUSED, ECONNRESET, …).
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/**
 * Runs `work`; a database that is down becomes a 503 naming the store, with Retry-After, as a
 * full SQLite disk does (the cause is logged, not sent). Other errors stay what they are.
 */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw dependencyDown("store", error, STORAGE_RETRY_AFTER_SECONDS);
    throw error;
  }
}
