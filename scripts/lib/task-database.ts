import { SQL } from "bun";

/**
 * task-service's database beside user-service's on the same Postgres server: `<db>_tasks`,
 * created when missing. Each producer needs a database of its own (its outbox table and the
 * relays' advisory locks are per database); `bun run dev` derives this one from DATABASE_URL
 * unless TASK_DATABASE_URL names another.
 */
export async function taskDatabaseUrl(databaseUrl: string): Promise<string> {
  const url = new URL(databaseUrl);
  const name = `${decodeURIComponent(url.pathname.slice(1)) || "postgres"}_tasks`;
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) {
    throw new Error(`cannot derive a database name from DATABASE_URL; set TASK_DATABASE_URL`);
  }
  const sql = new SQL({ url: databaseUrl, max: 1, connectionTimeout: 5 });
  try {
    const [found] = await sql`SELECT 1 AS found FROM pg_database WHERE datname = ${name}`;
    if (!found) await sql.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await sql.close();
  }
  url.pathname = `/${name}`;
  return url.toString();
}
