import { QdrantClient } from "@qdrant/js-client-rest";
import type { Collection } from "../vectors/index.ts";
import { physical } from "./table.ts";

/**
 * Which generation is current, kept where every gateway sharing the store reads it: one alias per
 * collection, `<collection>__current` → its physical collection. Qdrant applies the actions of
 * one alias request atomically, so all collections switch together and a reader of the alias
 * never sees none.
 */
export interface CurrentPointer {
  /** The generation the aliases point to; null before the first `point`. */
  read(): Promise<number | null>;
  /** Points every collection's alias to generation `id`, in one atomic request. */
  point(id: number): Promise<void>;
}

/** The alias of a logical collection. */
export const currentAlias = (collection: Collection) => `${collection}__current`;

/** `users__g3` → 3; the plain `users` → 1. */
function generationOf(collection: Collection, physicalName: string): number | null {
  if (physicalName === collection) return 1;
  const match = physicalName.match(/__g(\d+)$/);
  return match && physicalName.startsWith(`${collection}__g`) ? Number(match[1]) : null;
}

/** The aliases of Qdrant at `url` as the current pointer of `collections`. */
export function qdrantPointer(options: {
  url: string;
  apiKey?: string | undefined;
  /** QDRANT_COLLECTION_PREFIX: aliases and collections carry it in Qdrant. */
  prefix?: string | undefined;
  collections: readonly Collection[];
}): CurrentPointer {
  const prefix = options.prefix ?? "";
  const client = new QdrantClient({
    url: options.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    checkCompatibility: false,
  });
  const aliases = async () => {
    const { aliases } = await client.getAliases();
    return new Map(aliases.map((a) => [a.alias_name, a.collection_name]));
  };
  return {
    async read() {
      const first = options.collections[0];
      if (first === undefined) return null;
      const target = (await aliases()).get(prefix + currentAlias(first));
      return target?.startsWith(prefix) ? generationOf(first, target.slice(prefix.length)) : null;
    },
    async point(id) {
      // Gateways starting together race to create the aliases: re-read and retry what is left.
      for (let attempt = 1; ; attempt++) {
        const existing = await aliases();
        const actions = options.collections.flatMap((collection) => {
          const alias_name = prefix + currentAlias(collection);
          const collection_name = prefix + physical(collection, id);
          if (existing.get(alias_name) === collection_name) return [];
          const create = { create_alias: { alias_name, collection_name } };
          // Deleting an alias that does not exist fails the whole request.
          return existing.has(alias_name) ? [{ delete_alias: { alias_name } }, create] : [create];
        });
        if (actions.length === 0) return;
        try {
          await client.updateCollectionAliases({ actions });
          return;
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    },
  };
}
