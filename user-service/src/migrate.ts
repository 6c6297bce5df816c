/**
 * Applies the Postgres migrations of user-service (and of the outbox) to DATABASE_URL, then
 * exits: `bun run migrate`, ahead of a deploy. Replicas also migrate at start, under the same
 * advisory lock, so running this first is optional but keeps start-up short.
 */

import { migrate } from "@event-mesh/outbox-kit";
import { SQL } from "bun";
import { readConfig } from "./config.ts";
import { USER_MIGRATIONS } from "./store/postgres.ts";

const config = readConfig(process.env);
if (!config.DATABASE_URL) {
  console.error("DATABASE_URL is not set: nothing to migrate (SQLite creates its schema itself)");
  process.exit(1);
}
const sql = new SQL({ url: config.DATABASE_URL, max: 1 });
try {
  const applied = await migrate(sql, USER_MIGRATIONS);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "schema is up to date");
} finally {
  await sql.close();
}
