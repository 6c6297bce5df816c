// What `--verify` searches for: the ids and texts a tenant's stores hold, read before the erase.
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import type { Needles, Stores } from "./verify.ts";

/** Texts shorter than this are left out: "open" or "Ada" would match other data by chance. */
const MIN_TEXT = 5;

/** Accumulates ids and texts, each once. */
class Collector {
  readonly ids = new Set<string>();
  readonly texts = new Set<string>();
  entity(id: unknown, texts: readonly unknown[]): void {
    if (typeof id === "string" || typeof id === "number") this.ids.add(String(id));
    for (const text of texts)
      if (typeof text === "string" && text.length >= MIN_TEXT) this.texts.add(text);
  }
  /** An entity as JSON (a stored task, a point's payload data). */
  json(value: string | null): void {
    if (!value) return;
    const data = JSON.parse(value) as Record<string, unknown>;
    const body = (data.data as Record<string, unknown> | undefined) ?? data;
    this.entity(body.id, [body.name, body.email, body.title, body.description]);
  }
  done(): Needles {
    return { ids: [...this.ids], texts: [...this.texts] };
  }
}

/** The tenant's ids and texts in every store it can read (before the erase). */
export async function collectNeedles(tenantId: string, stores: Stores): Promise<Needles> {
  const found = new Collector();
  for (const dir of (stores.dataDirs ?? []).filter((d) => existsSync(d))) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite"))) {
      const db = new Database(join(dir, file), { readonly: true });
      try {
        const tables = db
          .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .all()
          .map((row) => row.name);
        if (tables.includes("users"))
          for (const u of db
            .query<{ id: string; name: string; email: string }, [string]>(
              "SELECT id, name, email FROM users WHERE tenant_id = ?",
            )
            .all(tenantId))
            found.entity(u.id, [u.name, u.email]);
        if (tables.includes("tasks"))
          for (const t of db
            .query<{ task: string }, [string]>("SELECT task FROM tasks WHERE tenant_id = ?")
            .all(tenantId))
            found.json(t.task);
        for (const table of tables.filter((t) => t.startsWith("points_")))
          for (const p of db
            .query<{ payload: string | null }, [string]>(
              `SELECT payload FROM "${table}" WHERE tenant_id = ?`,
            )
            .all(tenantId))
            found.json(p.payload);
      } finally {
        db.close();
      }
    }
  }
  for (const url of stores.databaseUrls ?? []) {
    const sql = new SQL({ url, max: 1, connectionTimeout: 5 });
    try {
      const [users] = await sql`SELECT to_regclass('users')::text AS t`;
      if (users?.t)
        for (const u of await sql<{ id: string; name: string; email: string }[]>`
          SELECT id, name, email FROM users WHERE tenant_id = ${tenantId}`)
          found.entity(u.id, [u.name, u.email]);
      const [tasks] = await sql`SELECT to_regclass('tasks')::text AS t`;
      if (tasks?.t)
        for (const t of await sql<{ task: unknown }[]>`
          SELECT task::text AS task FROM tasks WHERE tenant_id = ${tenantId}`)
          found.json(String(t.task));
    } finally {
      await sql.close();
    }
  }
  return found.done();
}

/**
 * The needles of an erase, kept for `--verify` in `<dir>/erasures/<tenant>.json`, readable by
 * its owner only. It holds the texts it looks for, so `--verify` removes it once nothing is left.
 */
export const manifest = {
  path: (dir: string, tenantId: string) => join(dir, "erasures", `${tenantId}.json`),
  write(dir: string, tenantId: string, needles: Needles): string {
    const path = manifest.path(dir, tenantId);
    mkdirSync(join(dir, "erasures"), { recursive: true, mode: 0o700 });
    writeFileSync(path, JSON.stringify(needles), { mode: 0o600 });
    return path;
  },
  read(dir: string, tenantId: string): Needles | null {
    const path = manifest.path(dir, tenantId);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Needles) : null;
  },
  remove(dir: string, tenantId: string): void {
    rmSync(manifest.path(dir, tenantId), { force: true });
  },
};
