/**
 * Storage failures that are the machine's state, not a bug: a full disk, an I/O error, a lock
 * held by another process, a read-only file system, a database that went away. The request may
 * succeed once the condition passes, so they answer 503 with `Retry-After`, never 500.
 */

// SQLite primary result codes; bun:sqlite reports the extended code (`SQLITE_IOERR_WRITE`,
// `SQLITE_BUSY_SNAPSHOT`, `SQLITE_READONLY_DBMOVED`), so these match as prefixes.
const SQLITE_CODES = [
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
];
// System errors from the file system under the database.
const ERRNO_CODES = new Set(["ENOSPC", "EDQUOT", "EIO", "EROFS", "EBUSY"]);
// Postgres SQLSTATEs (Bun's PostgresError keeps them in `errno`): 08 connection, 53 insufficient
// resources (53100 disk full), 57P0x shutting down, 58030 I/O error, 40001/40P01 serialization
// and deadlock (safe to retry), 55P03 lock not available, 25006 read-only transaction.
const POSTGRES_STATES = /^(08|53|57P0[1-4]$|58030$|40001$|40P01$|55P03$|25006$)/;
// Bun's own Postgres client codes when the server is unreachable.
const isPostgresClientDown = (code: string) =>
  code.startsWith("ERR_POSTGRES_CONNECTION") ||
  (code.startsWith("ERR_POSTGRES_") && code.includes("TIMEOUT"));

function field(error: object, name: string): string | undefined {
  const value: unknown = Reflect.get(error, name);
  return typeof value === "string" ? value : undefined;
}

/** Whether `error` (or an error it wraps, via `cause`) is a transient storage failure. */
export function isStorageUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const code = field(error, "code") ?? "";
  if (SQLITE_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return true;
  if (ERRNO_CODES.has(code) || isPostgresClientDown(code)) return true;
  if (code.startsWith("ERR_POSTGRES") && POSTGRES_STATES.test(field(error, "errno") ?? ""))
    return true;
  return isStorageUnavailable(Reflect.get(error, "cause"), depth + 1);
}
