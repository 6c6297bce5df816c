// Vectors in generations: which are open, which embedder tags a vector, how a write reaches each.
import type { EmbeddingCache } from "../embedders/cache.ts";
import { type Embedded, type Embedder, Refused } from "../embedders/index.ts";
import { GatewayError } from "../errors.ts";
import {
  COLLECTIONS,
  type Collection,
  type PointUpsert,
  type VectorStore,
  type WriteResult,
} from "../vectors/index.ts";
import { generationsStore } from "./generations-store.ts";
import { physical, sameModel, sameSpec } from "./table.ts";
import type { GenerationsDeps, OpenGeneration, Tag } from "./types.ts";

/**
 * Vectors in generations. `embedder` embeds with the current generation's model and tags each
 * vector; `store` writes every change to every open generation (current, building, and the
 * previous one kept for rollback), re-embedding the text for a generation whose model did not
 * make the vector, and searches the generation that embedded the query, so a search that
 * straddles a switch still compares vectors of one model and one length.
 */
export class Generations {
  readonly #deps: GenerationsDeps;
  readonly #tags = new WeakMap<Float32Array, Tag>();
  readonly #open = new Map<number, OpenGeneration>();
  #collections: readonly Collection[] = COLLECTIONS;
  #currentId = 0;

  constructor(deps: GenerationsDeps) {
    this.#deps = deps;
  }

  /**
   * Opens the generations; a configured spec (model, length, text rules) unlike the current one
   * starts a building one. Collections a generation was not stamped for are stamped with the
   * configured rules: a newly declared collection is no reason to re-embed the others.
   */
  async start(collections: readonly Collection[] = COLLECTIONS): Promise<void> {
    this.#collections = collections;
    const { configured, table, texts = {} } = this.#deps;
    const spec = { embedder: configured.name, dims: configured.dims, texts };
    const current = table.ensureCurrent(spec);
    const previous = table.inState("previous");
    if (sameSpec(current, spec)) table.stamp(current.id, texts);
    // A configured spec that is the previous generation's was rolled back from on purpose.
    else if (previous && sameSpec(previous, spec)) table.stamp(previous.id, texts);
    else table.begin(spec);
    await this.refresh();
    const { pointer } = this.#deps;
    if (pointer && (await pointer.read()) === null) await pointer.point(this.#currentId);
  }

  /** Re-reads the table (another process may have rolled back) and opens what is new. */
  async refresh(): Promise<void> {
    const { table, pointer } = this.#deps;
    // Another gateway sharing the store may have switched or rolled back: follow its pointer.
    const pointed = pointer ? await pointer.read() : null;
    if (pointed !== null && pointed !== table.inState("current")?.id) table.follow(pointed);
    const live = ["current", "building", "previous"] as const;
    const rows = live.flatMap((state) => table.inState(state) ?? []);
    for (const row of rows) {
      const open = this.#open.get(row.id);
      if (open) {
        open.row = row;
        continue;
      }
      const physicalNames = this.#collections.map((c) => physical(c, row.id));
      const { configured } = this.#deps;
      const embedder = sameModel(row, { embedder: configured.name, dims: configured.dims })
        ? configured
        : this.#deps.embedderOf(row);
      this.#open.set(row.id, { row, embedder, store: await this.#deps.open(row, physicalNames) });
    }
    const retired = [...this.#open.keys()].filter((id) => !rows.some((row) => row.id === id));
    for (const id of retired) {
      await this.#open.get(id)?.store.close();
      this.#open.delete(id);
    }
    const current = rows.find((row) => row.state === "current");
    if (current) this.#currentId = current.id;
  }

  current(): OpenGeneration {
    const open = this.#open.get(this.#currentId);
    if (!open) throw new GatewayError("store_failed", "generations not started");
    return open;
  }

  building(): OpenGeneration | null {
    return [...this.#open.values()].find((open) => open.row.state === "building") ?? null;
  }

  /** Switches to the building generation `id` (once: false when it was no longer building). */
  async promote(id: number): Promise<boolean> {
    const { table, pointer } = this.#deps;
    // Pointer first: a crash in between leaves it ahead, and the table follows it on refresh.
    if (pointer && table.byId(id)?.state === "building") await pointer.point(id);
    const switched = table.promote(id);
    await this.refresh();
    return switched;
  }

  /** Back to the previous generation; false when none is kept. */
  async rollback(): Promise<boolean> {
    const { table, pointer } = this.#deps;
    const previous = table.inState("previous");
    if (pointer && previous) await pointer.point(previous.id);
    const back = table.rollback();
    await this.refresh();
    return back !== null;
  }

  /** The current generation's embedder, tagging what it makes. */
  readonly embedder: Embedder = ((gens: Generations) => ({
    // The current model's name: the embedding cache keys on it.
    get name() {
      return gens.#open.size > 0 ? gens.current().embedder.name : gens.#deps.configured.name;
    },
    get dims() {
      return gens.#open.size > 0 ? gens.current().row.dims : gens.#deps.configured.dims;
    },
    // The current model's: the hashing embedder computes a vector for less than a cache lookup.
    get cheaperThanCache() {
      const current = gens.#open.size > 0 ? gens.current().embedder : gens.#deps.configured;
      return current.cheaperThanCache === true;
    },
    embed: async (texts: readonly string[], signal?: AbortSignal) => {
      const current = gens.current();
      const embedded = await current.embedder.embed(texts, signal);
      embedded.forEach((item, i) => {
        if (!(item instanceof Refused)) {
          gens.#tags.set(item, { generation: current.row.id, text: texts[i] ?? "" });
        }
      });
      return embedded;
    },
  }))(this);

  /**
   * `cache` with its hits tagged like computed vectors (by the generation of the key's model), so
   * a write still re-embeds a cached vector for a generation of another model.
   */
  tagging(cache: EmbeddingCache): EmbeddingCache {
    return {
      get: (embedder, dims, texts, scopes) => {
        const open = [...this.#open.values()].find(
          (o) => o.embedder.name === embedder && o.row.dims === dims,
        );
        const vectors = cache.get(embedder, dims, texts, scopes);
        vectors.forEach((vector, i) => {
          if (vector && open)
            this.#tags.set(vector, { generation: open.row.id, text: texts[i] ?? "" });
        });
        return vectors;
      },
      put: (embedder, dims, entries) => cache.put(embedder, dims, entries),
      erase: (owner) => cache.erase(owner),
      stats: () => cache.stats(),
    };
  }

  /**
   * Writes `ops` to generation `target`, embedding with its model what another model made. A
   * vector of a generation of the same model (one that differs in text rules only) is kept: the
   * text was made by this registry's rules either way.
   */
  async writeTo(
    target: OpenGeneration,
    collection: Collection,
    ops: Parameters<VectorStore["write"]>[1],
  ): Promise<WriteResult> {
    const redo: { index: number; text: string }[] = [];
    const upserts: (PointUpsert | null)[] = ops.upserts.map((point, index) => {
      const tag = this.#tags.get(point.vector);
      if (tag?.generation === target.row.id) return point;
      const made = tag && this.#open.get(tag.generation);
      if (made && sameModel(made.row, target.row)) return point;
      if (!tag && point.vector.length === target.row.dims) return point;
      if (!tag) {
        throw new GatewayError(
          "store_failed",
          `a ${point.vector.length}-d vector of no generation`,
        );
      }
      redo.push({ index, text: tag.text });
      return null;
    });
    if (redo.length > 0) {
      const vectors: Embedded[] = await target.embedder.embed(redo.map((r) => r.text));
      redo.forEach(({ index }, i) => {
        const vector = vectors[i];
        const point = ops.upserts[index];
        // A text the other model refuses is left out of that generation only.
        if (point && vector && !(vector instanceof Refused)) upserts[index] = { ...point, vector };
      });
    }
    const kept = upserts.filter((point): point is PointUpsert => point !== null);
    return target.store.write(physical(collection, target.row.id), {
      upserts: kept,
      deletes: ops.deletes,
    });
  }

  /** The port the pipeline and the routes use (generations-store.ts). */
  readonly store: VectorStore = generationsStore({
    startOnce: async (collections) => {
      if (this.#open.size === 0) await this.start(collections);
    },
    current: () => this.current(),
    opened: () => [...this.#open.values()],
    embeddedBy: (vector) => {
      const tag = this.#tags.get(vector);
      return tag && this.#open.get(tag.generation);
    },
    writeTo: (target, collection, ops) => this.writeTo(target, collection, ops),
    deps: () => this.#deps,
    closeAll: async () => {
      for (const open of this.#open.values()) await open.store.close();
      this.#open.clear();
    },
  });
}
