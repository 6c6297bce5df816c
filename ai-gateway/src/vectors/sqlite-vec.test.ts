import { expect, test } from "bun:test";
import { describeVectorStore } from "../../test/store-contract.ts";
import { openDatabase } from "../db.ts";
import { SqliteVecStore } from "./sqlite-vec.ts";

describeVectorStore(
  "SqliteVecStore",
  async () => {
    const store = new SqliteVecStore(openDatabase(":memory:"));
    await store.init(384);
    return store;
  },
  { keepsTombstones: true },
);

test("SqliteVecStore refuses to open vectors of another size", async () => {
  const db = openDatabase(":memory:");
  await new SqliteVecStore(db).init(384);
  await expect(new SqliteVecStore(db).init(256)).rejects.toThrow(/384 dimensions/);
});
