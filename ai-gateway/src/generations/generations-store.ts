// The VectorStore port over generations: writes reach every open one, searches the query's.
import { GatewayError } from "../errors.ts";
import type { Collection, SearchHit, VectorStore, WriteResult } from "../vectors/index.ts";
import { physical } from "./table.ts";
import type { GenerationsDeps, OpenGeneration } from "./types.ts";

/** What the port reads and does of the generations (`Generations` in generations.ts). */
export interface GenerationsView {
  /** Opens the generations for `collections` (default: the catalog's) unless they are open. */
  startOnce(collections: readonly Collection[] | undefined): Promise<void>;
  /** The generation reads and untagged searches use. */
  current(): OpenGeneration;
  /** Every open generation: current, building, previous. */
  opened(): OpenGeneration[];
  /** The open generation whose model made `vector`, if one tagged it. */
  embeddedBy(vector: Float32Array): OpenGeneration | undefined;
  /** Writes `ops` to one generation, re-embedding what another model made. */
  writeTo(
    target: OpenGeneration,
    collection: Collection,
    ops: Parameters<VectorStore["write"]>[1],
  ): Promise<WriteResult>;
  /** The generations' table and store opener. */
  deps(): GenerationsDeps;
  /** Closes every open generation's store. */
  closeAll(): Promise<void>;
}

/** The store the pipeline and the routes use, over the generations of `view`. */
export function generationsStore(view: GenerationsView): VectorStore {
  return {
    name: "generations",
    init: async (_dims, collections) => {
      await view.startOnce(collections);
    },
    write: async (collection, ops) => {
      const current = view.current();
      const others = view.opened().filter((open) => open !== current);
      const [result] = await Promise.all([
        view.writeTo(current, collection, ops),
        ...others.map((open) => view.writeTo(open, collection, ops)),
      ]);
      return result;
    },
    search: (collection, tenantId, vector, limit, options): Promise<SearchHit[]> => {
      // A keyword search embeds nothing: it reads the current generation's keyword index.
      const open = (vector && view.embeddedBy(vector)) || view.current();
      if (vector && open.row.dims !== vector.length) {
        throw new GatewayError("store_failed", "the query's generation is gone; retry");
      }
      const name = physical(collection, open.row.id);
      return open.store.search(name, tenantId, vector, limit, options);
    },
    // Read-your-writes and reconciliation read the generation searches use; `write` resolves
    // only once every generation holds the change, so the current one is never behind.
    versions: (collection, tenantId, entityIds) => {
      const current = view.current();
      return current.store.versions(physical(collection, current.row.id), tenantId, entityIds);
    },
    listVersions: (collection, tenantId, cursor, limit) => {
      const current = view.current();
      const name = physical(collection, current.row.id);
      return current.store.listVersions(name, tenantId, cursor, limit);
    },
    purge: async (collection, tenantId, entityIds) => {
      for (const open of view.opened()) {
        await open.store.purge(physical(collection, open.row.id), tenantId, entityIds);
      }
    },
    // Every generation: the open ones, and the retired ones, whose collections are kept (not
    // dropped) and so still hold the tenant's vectors.
    eraseTenant: async (collection, tenantId) => {
      let erased = 0;
      for (const open of view.opened())
        erased += await open.store.eraseTenant(physical(collection, open.row.id), tenantId);
      const retired = view
        .deps()
        .table.all()
        .filter((row) => row.state === "retired");
      for (const row of retired) {
        const name = physical(collection, row.id);
        const store = await view.deps().open(row, [name]);
        try {
          erased += await store.eraseTenant(name, tenantId);
        } finally {
          await store.close();
        }
      }
      view.deps().table.forgetTenant(tenantId);
      return erased;
    },
    count: (collection, tenantId) => {
      const current = view.current();
      return current.store.count(physical(collection, current.row.id), tenantId);
    },
    ping: () => view.current().store.ping(),
    close: () => view.closeAll(),
  };
}
