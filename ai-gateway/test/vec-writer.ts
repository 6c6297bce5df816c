// Writes to a sqlite-vec store in $DATA_DIR until killed, for sqlite-vec-kill.test.ts: each batch
// grows one tenant (past SQLITE_VEC_INDEX_AT, so its searches read its codes from memory), adds one point to
// each of 20 small tenants and deletes a point of the growing one. Prints "batch <n>" after each.

import { openDatabase } from "../src/db.ts";
import { pointId } from "../src/vectors/point-id.ts";
import { SqliteVecStore } from "../src/vectors/sqlite-vec.ts";
import { userPoint } from "./store-contract.ts";

const dir = process.env.DATA_DIR;
if (!dir) throw new Error("DATA_DIR is required");
const store = new SqliteVecStore(openDatabase(dir), {
  indexAt: Number(process.env.SQLITE_VEC_INDEX_AT ?? 100),
});
await store.init(384);
for (let batch = 0; ; batch++) {
  const upserts = Array.from({ length: 30 }, (_, i) =>
    userPoint("grow", batch * 30 + i, `Person${batch * 30 + i} Lee`),
  );
  for (let t = 0; t < 20; t++) upserts.push(userPoint(`small-${t}`, batch, `Person${batch} Lee`));
  const gone = batch * 30 - 7;
  const deletes =
    gone < 0
      ? []
      : [
          {
            id: pointId("users", "grow", String(gone)),
            tenantId: "grow",
            entityId: String(gone),
            version: 2,
          },
        ];
  await store.write("users", { upserts, deletes });
  console.log(`batch ${batch}`);
}
