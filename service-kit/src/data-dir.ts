import { accessSync, constants, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { describeError, StartError } from "./errors.ts";

/** Why a folder cannot be used, in words a user can act on, from a Node file-system error. */
function reason(error: unknown): string {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is a file, not a folder";
    case "EEXIST":
      return "it is a file, not a folder";
    case "EROFS":
      return "read-only file system";
    default:
      return describeError(error);
  }
}

/**
 * Creates `dir` when missing and checks that this process can write there. Throws `StartError`
 * with one line naming DATA_DIR, so `main` prints it instead of a SQLite or mkdir stack trace.
 */
export function prepareDataDir(dir: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StartError(`cannot use DATA_DIR ${path}: ${reason(error)}; fix it or set DATA_DIR`);
  }
  return path;
}
