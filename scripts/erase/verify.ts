// `bun run erase --verify`: searches every store the mesh writes for what is left of a tenant.
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";

/** What the tenant was known by: its entities' ids and the texts they held. */
export interface Needles {
  ids: string[];
  texts: string[];
}

/** One thing found: where, and what kind of needle (never the needle itself: it may be personal). */
export interface Leftover {
  store: string;
  where: string;
  what: string;
}

/** Where the mesh's stores are. */
export interface Stores {
  /** DATA_DIR(s) of the embedded mode: every `*.sqlite` file in them, with its WAL. */
  dataDirs?: readonly string[] | undefined;
  /** Postgres databases (user-service's, task-service's). */
  databaseUrls?: readonly string[] | undefined;
  /** A Qdrant the gateway writes, read directly. */
  qdrant?: { url: string; apiKey?: string | undefined; prefix?: string | undefined } | undefined;
}

/** Tables that record an erase: they name the tenant on purpose. */
const RECORD_TABLES = new Set(["erasures", "gateway_erasures"]);

/** Every leftover of `tenantId` in `stores`; empty when the erase is complete. */
export async function verifyTenant(
  tenantId: string,
  needles: Needles,
  stores: Stores,
): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const dir of (stores.dataDirs ?? []).filter((d) => existsSync(d)))
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite")))
      found.push(...sqliteLeftovers(join(dir, file), tenantId, needles));
  for (const url of stores.databaseUrls ?? [])
    found.push(...(await postgresLeftovers(url, tenantId, needles)));
  if (stores.qdrant) found.push(...(await qdrantLeftovers(stores.qdrant, tenantId)));
  return found;
}

/**
 * A SQLite file: rows of the tenant in every table with a `tenant_id` column, then the raw bytes
 * of the file and its WAL (free pages and old frames included) for every id and text.
 */
export function sqliteLeftovers(path: string, tenantId: string, needles: Needles): Leftover[] {
  const found: Leftover[] = [];
  const name = path.split("/").at(-1) ?? path;
  const db = new Database(path, { readonly: true });
  try {
    // Virtual tables (sqlite-vec's vec0) need their module to be read; their shadow tables are
    // plain, and the raw scan below reads every byte of them anyway.
    const tables = db
      .query<{ name: string }, []>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
      )
      .all()
      .map((row) => row.name)
      .filter((table) => !RECORD_TABLES.has(table));
    for (const table of tables) {
      const columns = db
        .query<{ name: string }, [string]>("SELECT name FROM pragma_table_info(?)")
        .all(table)
        .map((row) => row.name);
      if (columns.includes("tenant_id")) {
        const row = db
          .query<{ n: number }, [string]>(
            `SELECT count(*) AS n FROM "${table}" WHERE tenant_id = ?`,
          )
          .get(tenantId);
        if (row && row.n > 0)
          found.push({
            store: `sqlite ${name}`,
            where: table,
            what: `${row.n} rows of the tenant`,
          });
      }
      if (table === "outbox") {
        const row = db
          .query<{ n: number }, [string]>(
            `SELECT count(*) AS n FROM outbox WHERE json_extract(event, '$.tenantid') = ?
             AND json_extract(event, '$.type') <> 'tenant.deleted'`,
          )
          .get(tenantId);
        if (row && row.n > 0)
          found.push({ store: `sqlite ${name}`, where: "outbox", what: `${row.n} events` });
      }
    }
  } finally {
    db.close();
  }
  for (const file of [path, `${path}-wal`]) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    const where = file.endsWith("-wal") ? "WAL file" : "file bytes (free pages included)";
    found.push(...bytesLeftovers(bytes, needles, `sqlite ${name}`, where));
  }
  return found;
}

function bytesLeftovers(bytes: Buffer, needles: Needles, store: string, where: string) {
  const found: Leftover[] = [];
  const ids = needles.ids.filter((id) => bytes.includes(id));
  if (ids.length > 0) found.push({ store, where, what: `${ids.length} entity ids` });
  const texts = needles.texts.filter((text) => bytes.includes(text));
  if (texts.length > 0) found.push({ store, where, what: `${texts.length} texts` });
  return found;
}

/** A Postgres database: rows of the tenant in every table with `tenant_id`, and the outbox. */
async function postgresLeftovers(url: string, tenantId: string, needles: Needles) {
  const found: Leftover[] = [];
  const store = `postgres ${new URL(url).pathname.slice(1)}`;
  const sql = new SQL({ url, max: 1, connectionTimeout: 5 });
  try {
    const tables = await sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'tenant_id'`;
    for (const { table_name: table } of tables) {
      if (RECORD_TABLES.has(table)) continue;
      const [row] = await sql.unsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "${table}" WHERE tenant_id = $1`,
        [tenantId],
      );
      if (row && row.n > 0)
        found.push({ store, where: table, what: `${row.n} rows of the tenant` });
    }
    const outbox = await sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name = 'outbox'`;
    if (outbox.length > 0) {
      const rows = await sql<{ event: string }[]>`
        SELECT event FROM outbox WHERE left(partition_key, ${tenantId.length + 1}) = ${`${tenantId}/`}
        AND event::jsonb ->> 'type' <> 'tenant.deleted'`;
      if (rows.length > 0) found.push({ store, where: "outbox", what: `${rows.length} events` });
      const all = await sql<{ event: string }[]>`SELECT event FROM outbox`;
      const bytes = Buffer.from(all.map((row) => row.event).join("\n"));
      found.push(...bytesLeftovers(bytes, needles, store, "outbox events"));
    }
  } finally {
    await sql.close();
  }
  return found;
}

/** Every collection of the gateway's prefix in Qdrant: points with the tenant's id. */
async function qdrantLeftovers(qdrant: NonNullable<Stores["qdrant"]>, tenantId: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (qdrant.apiKey) headers["api-key"] = qdrant.apiKey;
  const base = qdrant.url.replace(/\/$/, "");
  const listed = (await (await fetch(`${base}/collections`, { headers })).json()) as {
    result: { collections: { name: string }[] };
  };
  const found: Leftover[] = [];
  for (const { name } of listed.result.collections) {
    if (qdrant.prefix && !name.startsWith(qdrant.prefix)) continue;
    const response = await fetch(`${base}/collections/${name}/points/count`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        exact: true,
        filter: { must: [{ key: "tenantId", match: { value: tenantId } }] },
      }),
    });
    if (!response.ok) continue;
    const { result } = (await response.json()) as { result: { count: number } };
    if (result.count > 0)
      found.push({ store: "qdrant", where: name, what: `${result.count} points of the tenant` });
  }
  return found;
}
