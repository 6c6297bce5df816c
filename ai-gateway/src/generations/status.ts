import * as v from "valibot";
import type { Generation, GenerationTable } from "./table.ts";

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One generation as `/stats` and `bun run reembed status` show it. */
export const GenerationView = v.object({
  /** Generation number; the physical collections are `<collection>__g<id>` (1: plain names). */
  id: Count,
  state: v.picklist(["building", "current", "previous", "retired"]),
  /** The embedder label and vector length the generation is made of. */
  embedder: v.string(),
  dims: Count,
  /** Source entities (events) written by the builder, of `total`. */
  done: Count,
  total: Count,
  /** Entities per second since the build started. */
  rate: v.number(),
  /** Whether this process searches it now (it follows a rollback within 5 s). */
  serving: v.boolean(),
});
export type GenerationView = v.InferOutput<typeof GenerationView>;

/** The live generations (retired ones left out); `serving`: the one this process searches. */
export function generationViews(
  table: GenerationTable,
  serving?: number,
  now = Date.now(),
): GenerationView[] {
  return table
    .all()
    .filter((row) => row.state !== "retired")
    .map((row) => ({ ...view(row, now), serving: row.id === serving }));
}

/**
 * The generations as one tenant may see them: `done` counts its own entities only, and `total`
 * is its own too (while building: at least `points`, what it has in the serving generation).
 * Never another tenant's counts, nor the platform's.
 */
export function tenantViews(
  table: GenerationTable,
  views: readonly GenerationView[],
  tenantId: string,
  points: number,
  now = Date.now(),
): GenerationView[] {
  return views.map((platform) => {
    const row = table.byId(platform.id);
    const done = table.tenantDone(platform.id, tenantId);
    const building = platform.state === "building";
    const seconds = Math.max((now - (row?.createdAt ?? now)) / 1000, 0.001);
    return {
      ...platform,
      done,
      total: building ? Math.max(done, points) : done,
      rate: building ? Math.round((done / seconds) * 10) / 10 : 0,
    };
  });
}

function view(row: Generation, now: number): Omit<GenerationView, "serving"> {
  const seconds = Math.max((now - row.createdAt) / 1000, 0.001);
  const rate = row.state === "building" ? Math.round((row.done / seconds) * 10) / 10 : 0;
  const { id, state, embedder, dims, done, total } = row;
  return { id, state, embedder, dims, done, total, rate };
}

/** `g2 building  hashing/256  [██████░░░░░░░░░░░░░░]  30%  3,000/10,000  1,234.5/s` */
export function formatView(row: GenerationView, width = 20): string {
  const head = `g${row.id} ${row.state.padEnd(9)} ${row.embedder}/${row.dims}`;
  if (row.state !== "building") return head;
  const share = row.total > 0 ? Math.min(row.done / row.total, 1) : 0;
  const filled = Math.round(share * width);
  const bar = `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
  const n = (x: number) => x.toLocaleString("en-US");
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${head}  ${bar} ${percent}  ${n(row.done)}/${n(row.total)}  ${n(row.rate)}/s`;
}
