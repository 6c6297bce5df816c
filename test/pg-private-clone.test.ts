/**
 * A fresh clone in a private folder (what `mktemp -d` makes, or /root/… in a container), run as
 * root: the server runs as the `postgres` user, who cannot enter that folder. `bun run pg:start`
 * must still start a server there (and so `dev:pg` and the tests, which start it the same way).
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { SQL } from "bun";
import { freePort } from "../scripts/lib/service-process.ts";
import { pgPaths } from "../scripts/pg/config.ts";
import { describePostgres, postgresUrl } from "./pg-server.ts";

const ROOT = resolve(import.meta.dir, "..");
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The working tree's files (tracked and new, not ignored) copied to `to`: a clone as it is now. */
function cloneInto(to: string): void {
  const listed = Bun.spawnSync(
    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: ROOT, stdout: "pipe" },
  );
  if (!listed.success) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  for (const file of listed.stdout.toString().split("\0").filter(Boolean)) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    try {
      copyFileSync(join(ROOT, file), join(to, file));
    } catch (error) {
      // Listed but deleted in the working tree: not part of the clone.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

function run(command: string[], cwd: string, env: Record<string, string> = {}) {
  const result = Bun.spawnSync(command, {
    cwd,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = `${result.stdout.toString()}${result.stderr.toString()}`;
  if (!result.success) throw new Error(`${command.join(" ")} failed:\n${output.slice(-3000)}`);
  return output;
}

// The binaries come with the test run's own Postgres set-up; without them this skips too.
const binaries = await postgresUrl();
if (binaries === null) {
  await describePostgres("Postgres from a clone in a private folder", () => {});
} else {
  test.skipIf(userInfo().uid !== 0)(
    "as root, pg:start and pg:stop work from a clone in a 0700 folder (skipped unless root: only root runs the server as another user)",
    async () => {
      const parent = mkdtempSync(join(tmpdir(), "private-clone-"));
      cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
      expect(statSync(parent).mode & 0o777).toBe(0o700);
      const clone = join(parent, "event-mesh");
      cloneInto(clone);
      run(["bun", "install", "--frozen-lockfile"], clone);

      const port = String(freePort());
      // Where that clone's server keeps its data (outside the private folder), removed at the end.
      const dataRoot = dirname(pgPaths(join(clone, ".cache", "postgres")).data);
      cleanups.push(() => rmSync(dataRoot, { recursive: true, force: true }));
      cleanups.push(() =>
        Bun.spawnSync(["bun", "run", "pg:stop"], {
          cwd: clone,
          env: { ...process.env, PG_PORT: port },
        }),
      );

      const started = run(["bun", "run", "pg:start"], clone, { PG_PORT: port });
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      expect(started).toContain(`DATABASE_URL=${url}`);
      const sql = new SQL({ url, max: 1 });
      try {
        expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      } finally {
        await sql.close();
      }
      expect(run(["bun", "run", "pg:stop"], clone, { PG_PORT: port })).toContain(
        "Stopped Postgres",
      );
    },
    120_000,
  );
}
