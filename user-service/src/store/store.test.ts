import { describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describePostgres, freshDatabase } from "../../../test/pg-server.ts";
import { PostgresUserStore } from "./postgres.ts";
import { SqliteUserStore } from "./sqlite.ts";
import { storeContract } from "./store-contract.ts";

describe("SQLite store", () => {
  storeContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), "store-"));
    const store = new SqliteUserStore(join(dir, "user-service.sqlite"));
    return {
      store,
      close: async () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

await describePostgres("Postgres store", (url) => {
  storeContract(async () => {
    const db = await freshDatabase(url, "store");
    const store = await PostgresUserStore.open({ url: db.url, poolMax: 4 });
    return {
      store,
      close: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
});
