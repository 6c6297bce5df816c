import type { AnyMeshEvent, Registry } from "@event-mesh/contracts";
import { Refused } from "../embedders/index.ts";
import { planChunks } from "../pipeline/chunk-step.ts";
import { type EntityChange, planBatch } from "../pipeline/plan.ts";
import type { ChunkSettings } from "../vectors/chunks.ts";
import type { Collection, PointDelete, PointUpsert } from "../vectors/index.ts";
import type { Generations } from "./generations.ts";
import type { GenerationTable } from "./table.ts";

/**
 * Where a new generation is built from: every entity of the source at its latest version, as
 * events. The Kafka topics read from the beginning, or a producer's snapshot (embedded mode,
 * where the HTTP ingest cannot be replayed).
 */
export interface SnapshotSource {
  /** How many events `batches` will yield, when known up front (for the progress bar). */
  total(): Promise<number | undefined>;
  /** The events, in batches; ends when the source has been read to its end. */
  batches(signal?: AbortSignal): AsyncIterable<readonly AnyMeshEvent[]>;
}

/** What a build did. */
export interface BuildOutcome {
  generation: number;
  done: number;
  /** True when this build made the generation current; false when there was nothing to build. */
  switched: boolean;
}

/**
 * Fills the building generation from `source` with its own model, then makes it current. Live
 * events keep going to it meanwhile (Generations.store), and versions decide between the two: a
 * snapshot row older than a live event is dropped as stale, a deleted entity stays deleted.
 */
export async function buildGeneration(
  generations: Generations,
  table: GenerationTable,
  source: SnapshotSource,
  options: { registry?: Registry; signal?: AbortSignal; chunks?: ChunkSettings } = {},
): Promise<BuildOutcome> {
  const target = generations.building();
  if (!target) return { generation: generations.current().row.id, done: 0, switched: false };
  const id = target.row.id;
  let total = (await source.total()) ?? 0;
  let done = 0;
  table.progress(id, done, total);
  table.tenantProgress(id, new Map(), true);
  for await (const events of source.batches(options.signal)) {
    const { changes } = planBatch(events, options.registry);
    // Long texts in chunks, as the pipeline stores them: one vector per chunk.
    const chunking = planChunks(
      changes.filter((change) => change.action === "upsert"),
      options.chunks,
    );
    const vectors = await target.embedder.embed(
      chunking.toEmbed.map((change) => change.text),
      options.signal,
    );
    const vectorOf = new Map<EntityChange, Float32Array>();
    chunking.toEmbed.forEach((change, i) => {
      const vector = vectors[i];
      if (vector && !(vector instanceof Refused)) vectorOf.set(change, vector);
    });
    const { upserts } = chunking.assemble(vectorOf, []);
    const byCollection = new Map<Collection, { upserts: PointUpsert[]; deletes: PointDelete[] }>();
    const opsOf = (collection: Collection) => {
      const ops = byCollection.get(collection) ?? { upserts: [], deletes: [] };
      byCollection.set(collection, ops);
      return ops;
    };
    for (const [change, upsert] of upserts) opsOf(change.collection).upserts.push(upsert);
    for (const change of changes) {
      if (change.action === "delete") opsOf(change.collection).deletes.push(pointOf(change));
    }
    for (const [collection, ops] of byCollection) {
      await generations.writeTo(target, collection, ops);
    }
    done += events.length;
    total = Math.max(total, done);
    table.progress(id, done, total);
    const byTenant = new Map<string, number>();
    for (const event of events)
      byTenant.set(event.tenantId, (byTenant.get(event.tenantId) ?? 0) + 1);
    table.tenantProgress(id, byTenant);
  }
  // Stopped half-way: the build resumes on the next start; the switch waits for a whole source.
  if (options.signal?.aborted) return { generation: id, done, switched: false };
  table.progress(id, done, done);
  const switched = await generations.promote(id);
  return { generation: id, done, switched };
}

const pointOf = (change: {
  pointId: string;
  tenantId: string;
  entityId: string;
  version: number;
}): PointDelete => ({
  id: change.pointId,
  tenantId: change.tenantId,
  entityId: change.entityId,
  version: change.version,
});
