import type { Embedder } from "../embedders/index.ts";
import type { Collection, VectorStore } from "../vectors/index.ts";
import type { CurrentPointer } from "./qdrant-pointer.ts";
import type { Generation, GenerationSpec, GenerationTable } from "./table.ts";
import type { TextRules } from "./texts.ts";

/** An open generation: its row, its embedder, and the store of its physical collections. */
export interface OpenGeneration {
  row: Generation;
  embedder: Embedder;
  store: VectorStore;
}

/** What `Generations` is built from; `main.ts` gives the real ones. */
export interface GenerationsDeps {
  table: GenerationTable;
  /** The embedder the configuration asks for (EMBEDDINGS_MODEL, EMBEDDING_DIMS). */
  configured: Embedder;
  /** Each collection's text rule the registry asks for (`textRulesOf`); default: none named. */
  texts?: TextRules;
  /** An embedder for an older spec (the previous model, still current until the switch). */
  embedderOf: (spec: GenerationSpec) => Embedder;
  /** A store for one generation, initialised for its physical collections. */
  open: (row: Generation, collections: readonly Collection[]) => Promise<VectorStore>;
  /** Shared truth of the current generation (Qdrant aliases), for gateways sharing a store. */
  pointer?: CurrentPointer | undefined;
}

/** Which generation embedded a vector, and from which text; lets a write reuse or redo it. */
export interface Tag {
  generation: number;
  text: string;
}
